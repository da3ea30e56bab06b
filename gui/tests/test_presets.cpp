// SPDX-License-Identifier: MIT
// Presets round-trip between the GUI and the CLI: a file the GUI saves is what
// `lathe presets FILE` reads; a file `lathe master --save-preset` writes loads into
// the GUI's controls and saves back byte for byte; bad files show an error in the window.
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QToolButton>
#include <cmath>
#include <variant>

#include "chain_model.hpp"
#include "lathe/preset.hpp"
#include "main_window.hpp"
#include "preset_panel.hpp"
#include "support.hpp"

using namespace lathe;
using namespace lathe::gui;
using namespace lathe::gui::test;

class PresetTest : public QObject {
  Q_OBJECT

 private slots:
  void init() {
    QVERIFY(dir_.isValid());
    probe_ = std::make_shared<DeviceProbe>();
    window_ = std::make_unique<MainWindow>(WindowOptions{}, recording_factory(probe_));
    window_->resize(1500, 1000);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }
  void cleanup() { window_.reset(); }

  void builtinsListed() {
    auto* list = window_->findChild<QComboBox*>("builtinPresets");
    QVERIFY(list);
    const auto names = builtin_preset_names();
    QCOMPARE(list->count(), static_cast<int>(names.size()));
    for (int i = 0; i < list->count(); ++i) QCOMPARE(list->itemText(i).toStdString(), names[i]);
    QCOMPARE(list->currentText(), QString("streaming"));
    // Choosing "cd" loads it: 16-bit output shows, and the device gets its registers.
    choose_builtin(window_.get(), "cd");
    QCOMPARE(list->currentText(), QString("cd"));
    QCOMPARE(window_->model()->preset(), *builtin_preset("cd"));
    QCOMPARE(window_->findChild<QComboBox*>("outBits")->currentIndex(), 1);
    const auto expected = to_registers(builtin_preset("cd")->params, 48000);
    QTRY_VERIFY2(probe_->last() == expected, register_diff(probe_->last(), expected));
  }

  void guiSavedPresetReadByCli() {
    // Settings made with the controls.
    window_->findChild<QDoubleSpinBox*>("compThreshold")->setValue(-21.5);
    window_->findChild<QDoubleSpinBox*>("compRatio")->setValue(30.0);  // shown as infinity
    window_->findChild<QComboBox*>("eqMode")->setCurrentIndex(1);
    window_->findChild<QComboBox*>("eqTarget")->setCurrentIndex(1);  // mid only
    window_->findChild<QToolButton*>("bandOn3")->click();
    window_->findChild<QDoubleSpinBox*>("bandFreq3")->setValue(2500.0);
    window_->findChild<QDoubleSpinBox*>("bandGain3")->setValue(2.0);
    window_->findChild<QCheckBox*>("targetOn")->setChecked(false);
    window_->findChild<QDoubleSpinBox*>("limCeiling")->setValue(-1.5);
    window_->findChild<QComboBox*>("outBits")->setCurrentIndex(1);
    auto* name = window_->findChild<QLineEdit*>("presetName");
    name->setText("gui-made");

    const QString path = dir_.filePath("gui.json");
    QVERIFY(window_->presetPanel()->saveFile(path));
    QVERIFY(window_->errorText().isEmpty());

    // What the CLI reads from the file is what the GUI holds.
    const CliRun run = run_cli({"presets", path});
    QVERIFY2(run.exit_code == 0, run.err.constData());
    QCOMPARE(run.out, file_bytes(path));
    auto parsed = preset_from_json(run.out.toStdString(), "cli");
    QVERIFY(parsed.has_value());
    const Preset cli = (*parsed);
    QCOMPARE(cli, window_->model()->preset());
    QCOMPARE(cli.name, std::string("gui-made"));
    QCOMPARE(cli.params.comp.threshold_db, -21.5);
    QVERIFY(std::isinf(cli.params.comp.ratio));
    QVERIFY(cli.params.eq.mid_side);
    QCOMPARE(cli.params.eq.bands[0][2].type, FilterType::Peak);
    QCOMPARE(cli.params.eq.bands[0][2].freq_hz, 2500.0);
    QCOMPARE(cli.params.eq.bands[1][2].type, FilterType::Off);
    QVERIFY(!cli.target_lufs.has_value());
    QCOMPARE(cli.params.lim.ceiling_dbtp, -1.5);
    QCOMPARE(cli.params.dither.bits, 16);
    QVERIFY(!cli.params.bypass);
  }

  void cliSavedPresetLoadsAndSavesBack() {
    const QString in = write_test_audio(dir_.filePath("in.wav"), 1.0, 44100);
    const QString cli_json = dir_.filePath("cli.json");
    const CliRun run = run_cli({"master", in, dir_.filePath("out.wav"), "--preset", "broadcast", "--quiet",
                                "--set", "compressor.threshold_db=-20", "--set", "compressor.attack_ms=3.5",
                                "--set", "eq.ch1.band5.type=low_shelf", "--set", "eq.ch1.band5.freq_hz=120",
                                "--set", "eq.ch1.band5.gain_db=-1.25", "--set", "limiter.lookahead_ms=3",
                                "--set", "dither.enabled=false", "--set", "trim_db=-3", "--save-preset", cli_json});
    QVERIFY2(run.exit_code == 0, run.err.constData());

    QVERIFY(window_->presetPanel()->loadFile(cli_json));
    QVERIFY(window_->errorText().isEmpty());
    // The controls show the file's values.
    QCOMPARE(window_->findChild<QDoubleSpinBox*>("compThreshold")->value(), -20.0);
    QCOMPARE(window_->findChild<QDoubleSpinBox*>("compAttack")->value(), 3.5);
    QCOMPARE(window_->findChild<QDoubleSpinBox*>("limLookahead")->value(), 3.0);
    QCOMPARE(window_->findChild<QDoubleSpinBox*>("trim")->value(), -3.0);
    QCOMPARE(window_->findChild<QDoubleSpinBox*>("targetLufs")->value(), -23.0);
    QVERIFY(!window_->findChild<QCheckBox*>("dither")->isChecked());
    // The channels differ, so the EQ edits one channel; the right one shows the shelf.
    QCOMPARE(window_->model()->eqTarget(), EqTarget::Channel0);
    window_->findChild<QComboBox*>("eqTarget")->setCurrentIndex(2);
    QVERIFY(window_->findChild<QToolButton*>("bandOn5")->isChecked());
    QCOMPARE(window_->findChild<QDoubleSpinBox*>("bandFreq5")->value(), 120.0);
    QCOMPARE(window_->findChild<QDoubleSpinBox*>("bandGain5")->value(), -1.3);  // shown to 0.1 dB
    QCOMPARE(window_->model()->band(1, 4).gain_db, -1.25);                      // kept exactly

    // The device gets what the CLI would run.
    auto loaded = load_preset_file(cli_json.toStdString());
    const auto expected = to_registers((*loaded).params, 48000);
    QTRY_VERIFY2(probe_->last() == expected, register_diff(probe_->last(), expected));

    // Saved back unchanged: byte for byte.
    const QString gui_json = dir_.filePath("gui-again.json");
    QVERIFY(window_->presetPanel()->saveFile(gui_json));
    QCOMPARE(file_bytes(gui_json), file_bytes(cli_json));
  }

  void badPresetFileShowsError() {
    const QString path = dir_.filePath("broken.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"name\": \"x\", \"compressor\": {\"treshold_db\": -20}}");
    f.close();
    const Preset before = window_->model()->preset();
    QVERIFY(!window_->presetPanel()->loadFile(path));
    QVERIFY2(window_->errorText().contains("treshold_db"), qPrintable(window_->errorText()));
    QVERIFY(window_->errorText().contains("unknown key"));
    QCOMPARE(window_->model()->preset(), before);  // nothing half-applied
    // The label is on screen, not only in a log.
    QVERIFY(window_->findChild<QLabel*>("errorBanner")->isVisible());
  }

 private:
  QTemporaryDir dir_;
  std::shared_ptr<DeviceProbe> probe_;
  std::unique_ptr<MainWindow> window_;
};

QTEST_MAIN(PresetTest)
#include "test_presets.moc"
