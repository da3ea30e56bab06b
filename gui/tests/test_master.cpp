// SPDX-License-Identifier: MIT
// Mastering from the GUI: the same output file, byte for byte, as the real `lathe master`
// with the same settings; progress and the before/after report; Cancel leaves no partial
// file (and an existing output untouched).
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolButton>

#include "chain_model.hpp"
#include "files_panel.hpp"
#include "main_window.hpp"
#include "support.hpp"

using namespace lathe;
using namespace lathe::gui;
using namespace lathe::gui::test;

class MasterTest : public QObject {
  Q_OBJECT

 private slots:
  void init() {
    dir_ = std::make_unique<QTemporaryDir>();
    QVERIFY(dir_->isValid());
    probe_ = std::make_shared<DeviceProbe>();
    window_ = std::make_unique<MainWindow>(WindowOptions{}, recording_factory(probe_));
    window_->resize(1500, 1000);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QTRY_VERIFY(probe_->writeCount() >= 1);  // the device is open
  }
  void cleanup() { window_.reset(); }

  void masterSameAsCli() {
    const QString in = write_test_audio(dir_->filePath("in.wav"), 8.0, 48000);
    const QString gui_out = dir_->filePath("gui.wav"), cli_out = dir_->filePath("cli.wav");
    QSignalSpy progress(window_->worker(), &DeviceWorker::masterProgress);
    QVERIFY(masterFromGui(in, gui_out));
    QVERIFY(progress.count() >= 3);
    QCOMPARE(window_->findChild<QProgressBar*>("progress")->value(), 1000);

    const CliRun run = run_cli({"master", in, cli_out, "--preset", "streaming", "--quiet"});
    QVERIFY2(run.exit_code == 0, run.err.constData());
    const QByteArray gui_bytes = file_bytes(gui_out);
    QVERIFY(gui_bytes.size() > 8 * 48000 * 6);
    QVERIFY2(gui_bytes == file_bytes(cli_out), "GUI and CLI outputs differ");

    // The report: the target reached, the ceiling held, gain reduction shown.
    auto* report = window_->findChild<QTableWidget*>("report");
    const double out_lufs = report->item(0, 1)->text().toDouble();
    QVERIFY2(std::abs(out_lufs + 14.0) < 0.2, qPrintable(report->item(0, 1)->text()));
    QVERIFY(report->item(4, 1)->text().toDouble() <= -1.0);
    QVERIFY(report->item(0, 0)->text().toDouble() < -15.0);  // the input was quieter
    QVERIFY(window_->findChild<QLabel*>("reportSummary")->text().contains("limiter max"));
  }

  void masterWithEditsSameAsCli() {
    // Mono, 44.1 kHz, the cd preset edited with the controls.
    const QString in = write_test_audio(dir_->filePath("mono.wav"), 6.0, 44100, 1, 11);
    choose_builtin(window_.get(), "cd");
    QCOMPARE(window_->model()->preset(), *builtin_preset("cd"));
    window_->findChild<QDoubleSpinBox*>("compThreshold")->setValue(-22.0);
    window_->findChild<QDoubleSpinBox*>("compMakeup")->setValue(1.5);
    window_->findChild<QToolButton*>("bandOn3")->click();
    window_->findChild<QDoubleSpinBox*>("bandFreq3")->setValue(3000.0);
    window_->findChild<QDoubleSpinBox*>("bandGain3")->setValue(2.0);
    window_->findChild<QDoubleSpinBox*>("bandQ3")->setValue(1.4);
    window_->findChild<QDoubleSpinBox*>("limCeiling")->setValue(-1.5);
    window_->findChild<QDoubleSpinBox*>("targetLufs")->setValue(-13.0);
    // A/B bypass is for listening: the master is processed all the same.
    window_->findChild<QPushButton*>("bypass")->click();
    QVERIFY(window_->model()->bypass());

    const QString gui_out = dir_->filePath("gui.flac"), cli_out = dir_->filePath("cli.flac");
    QVERIFY(masterFromGui(in, gui_out));
    const CliRun run = run_cli({"master", in, cli_out, "--preset", "cd", "--quiet",
                                "--set", "compressor.threshold_db=-22", "--set", "compressor.makeup_db=1.5",
                                "--set", "eq.band3.type=peak", "--set", "eq.band3.freq_hz=3000",
                                "--set", "eq.band3.gain_db=2", "--set", "eq.band3.q=1.4",
                                "--ceiling-dbtp", "-1.5", "--target-lufs", "-13"});
    QVERIFY2(run.exit_code == 0, run.err.constData());
    QVERIFY(file_bytes(gui_out).size() > 1000);
    QVERIFY2(file_bytes(gui_out) == file_bytes(cli_out), "GUI and CLI outputs differ");
    auto read = read_audio(gui_out.toStdString());
    QVERIFY(read.has_value());
    QCOMPARE((*read).channels, 1);
    QCOMPARE((*read).source_bits, 16);
  }

  void cancelLeavesNoPartialFile() {
    // Long enough that the job is still running when Cancel is pressed.
    const QString in = write_test_audio(dir_->filePath("long.wav"), 60.0, 48000);
    const QString out = dir_->filePath("out.wav");
    {
      QFile old(out);
      QVERIFY(old.open(QIODevice::WriteOnly));
      old.write("an earlier master");
    }
    const QStringList before = QDir(dir_->path()).entryList(QDir::Files | QDir::Hidden);

    auto* files = window_->filesPanel();
    files->setInputPath(in);
    files->setOutputPath(out);
    QSignalSpy progress(window_->worker(), &DeviceWorker::masterProgress);
    QSignalSpy failed(window_->worker(), &DeviceWorker::masterFailed);
    QSignalSpy finished(window_->worker(), &DeviceWorker::masterFinished);
    QTest::mouseClick(files->masterButton(), Qt::LeftButton);
    // Wait until the search runs, then press Cancel.
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(progress.begin(), progress.end(),
                                         [](const QList<QVariant>& a) { return a[0].toString() == "analysing"; }),
                             20000);
    QVERIFY(files->cancelButton()->isEnabled());
    QTest::mouseClick(files->cancelButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 20000);
    QCOMPARE(finished.count(), 0);
    QVERIFY(failed[0][1].toBool());  // cancelled, not an error
    QCOMPARE(file_bytes(out), QByteArray("an earlier master"));
    QCOMPARE(QDir(dir_->path()).entryList(QDir::Files | QDir::Hidden), before);  // no temporary left
    // The window hears of it through queued signals: wait for it to show.
    QTRY_COMPARE(window_->findChild<QProgressBar*>("progress")->format(), QString("cancelled"));
    QVERIFY(files->masterButton()->isEnabled());
    QVERIFY(window_->errorText().isEmpty());  // a cancel is not an error

    // And the same without an earlier file: none appears.
    // Cancel pressed at once, before the worker has even started the job, still stops it.
    QVERIFY(QFile::remove(out));
    QTest::mouseClick(files->masterButton(), Qt::LeftButton);
    QTest::mouseClick(files->cancelButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 20000);
    QVERIFY(failed[1][1].toBool());
    QVERIFY(!QFile::exists(out));
    QCOMPARE(QDir(dir_->path()).entryList(QDir::Files | QDir::Hidden), QStringList{"long.wav"});
  }

  void masterErrorsShowInWindow() {
    window_->filesPanel()->setInputPath(dir_->filePath("missing.wav"));
    window_->filesPanel()->setOutputPath(dir_->filePath("out.wav"));
    QSignalSpy failed(window_->worker(), &DeviceWorker::masterFailed);
    QTest::mouseClick(window_->filesPanel()->masterButton(), Qt::LeftButton);
    QTRY_COMPARE(failed.count(), 1);
    QVERIFY2(!failed[0][1].toBool(), qPrintable(failed[0][0].toString()));
    QTRY_VERIFY2(window_->errorText().contains("missing.wav"), qPrintable(window_->errorText()));
    QVERIFY(!QFile::exists(dir_->filePath("out.wav")));
  }

 private:
  bool masterFromGui(const QString& in, const QString& out) {
    auto* files = window_->filesPanel();
    files->setInputPath(in);
    files->setOutputPath(out);
    QSignalSpy finished(window_->worker(), &DeviceWorker::masterFinished);
    QSignalSpy failed(window_->worker(), &DeviceWorker::masterFailed);
    QTest::mouseClick(files->masterButton(), Qt::LeftButton);
    if (!QTest::qWaitFor([&] { return finished.count() + failed.count() > 0; }, 25000)) return false;
    if (failed.count() > 0) qWarning("master failed: %s", qPrintable(failed[0][0].toString()));
    // The spies count in the worker's thread; the window updates through queued signals.
    if (!QTest::qWaitFor([&] { return files->masterButton()->isEnabled(); }, 5000)) return false;
    return finished.count() == 1;
  }

  std::unique_ptr<QTemporaryDir> dir_;
  std::shared_ptr<DeviceProbe> probe_;
  std::unique_ptr<MainWindow> window_;
};

QTEST_MAIN(MasterTest)
#include "test_master.moc"
