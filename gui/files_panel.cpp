// SPDX-License-Identifier: MIT
#include "files_panel.hpp"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

#include "theme.hpp"

namespace lathe::gui {
namespace {

const QString kAudioFilter = QStringLiteral("Audio files (*.wav *.flac *.aif *.aiff *.w64);;All files (*)");

QString default_output(const QString& input) {
  const QFileInfo in(input);
  QString suffix = in.suffix().toLower();
  if (!QStringList{"wav", "flac", "aif", "aiff", "w64"}.contains(suffix)) suffix = QStringLiteral("wav");
  return in.dir().filePath(in.completeBaseName() + QStringLiteral("-master.") + suffix);
}

}  // namespace

FilesPanel::FilesPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(12);
  auto* left = new QVBoxLayout;
  auto* paths = new QGridLayout;
  paths->setHorizontalSpacing(6);
  paths->setVerticalSpacing(3);
  input_ = new QLineEdit;
  input_->setObjectName("inputPath");
  input_->setPlaceholderText(tr("input audio file (or drop one on the window)"));
  output_ = new QLineEdit;
  output_->setObjectName("outputPath");
  output_->setPlaceholderText(tr("output file: .wav, .flac, .aif, .w64"));
  auto* in_browse = new QToolButton;
  in_browse->setObjectName("inputBrowse");
  in_browse->setText(QStringLiteral("\u2026"));
  auto* out_browse = new QToolButton;
  out_browse->setObjectName("outputBrowse");
  out_browse->setText(QStringLiteral("\u2026"));
  input_info_ = new QLabel;
  input_info_->setObjectName("inputInfo");
  input_info_->setStyleSheet(QStringLiteral("color: #969ca6;"));
  paths->addWidget(new QLabel(tr("Input")), 0, 0);
  paths->addWidget(input_, 0, 1);
  paths->addWidget(in_browse, 0, 2);
  paths->addWidget(input_info_, 1, 1, 1, 2);
  paths->addWidget(new QLabel(tr("Output")), 2, 0);
  paths->addWidget(output_, 2, 1);
  paths->addWidget(out_browse, 2, 2);
  left->addLayout(paths);

  auto* run = new QHBoxLayout;
  master_ = new QPushButton(tr("Master"));
  master_->setObjectName("master");
  master_->setToolTip(tr("Master the input into the output with these settings, as `lathe master` does (Ctrl+M)"));
  master_->setStyleSheet(QStringLiteral("QPushButton { font-weight: bold; padding: 4px 16px; }"));
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setObjectName("cancel");
  cancel_->setEnabled(false);
  progress_ = new QProgressBar;
  progress_->setObjectName("progress");
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  progress_->setTextVisible(true);
  progress_->setFormat(tr("idle"));
  run->addWidget(master_);
  run->addWidget(cancel_);
  run->addWidget(progress_, 1);
  left->addLayout(run);
  summary_ = new QLabel;
  summary_->setObjectName("reportSummary");
  summary_->setWordWrap(true);
  summary_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  left->addWidget(summary_, 1);
  layout->addLayout(left, 1);

  constexpr int kRows = 7;
  report_ = new QTableWidget(kRows, 3);
  report_->setObjectName("report");
  report_->setHorizontalHeaderLabels({tr("Input"), tr("Output"), tr("Target")});
  report_->setVerticalHeaderLabels({tr("Integrated (LUFS)"), tr("Loudness range (LU)"), tr("Short-term max (LUFS)"),
                                    tr("Momentary max (LUFS)"), tr("True peak, BS.1770-4 (dBTP)"),
                                    tr("Reconstruction peak (dBTP)"), tr("Sample peak (dBFS)")});
  // Which meter each peak comes from: the standard's 4x (libebur128), and the 32x
  // reconstruction that the limiter holds to.
  report_->verticalHeaderItem(4)->setToolTip(QString::fromUtf8(kTruePeakMeterName));
  report_->verticalHeaderItem(5)->setToolTip(QString::fromStdString(reconstruction_meter_name()));
  report_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  report_->setSelectionMode(QAbstractItemView::NoSelection);
  report_->setFocusPolicy(Qt::NoFocus);
  report_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  report_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  report_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  report_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  report_->verticalHeader()->setDefaultSectionSize(19);
  report_->horizontalHeader()->setFixedHeight(21);
  report_->setFixedHeight(21 + kRows * 19 + 4);
  report_->setMinimumWidth(400);
  for (int r = 0; r < kRows; ++r)
    for (int c = 0; c < 3; ++c) {
      auto* item = new QTableWidgetItem(QStringLiteral("--"));
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      report_->setItem(r, c, item);
    }
  layout->addWidget(report_, 1, Qt::AlignTop);

  connect(in_browse, &QToolButton::clicked, this, &FilesPanel::browseInput);
  connect(out_browse, &QToolButton::clicked, this, &FilesPanel::browseOutput);
  connect(input_, &QLineEdit::editingFinished, this, [this] { setInputPath(input_->text()); });
  connect(master_, &QPushButton::clicked, this, [this] { emit masterRequested(inputPath(), outputPath()); });
  connect(cancel_, &QPushButton::clicked, this, [this] {
    cancel_->setEnabled(false);
    progress_->setFormat(tr("cancelling\u2026"));
    emit cancelRequested();
  });
}

QString FilesPanel::inputPath() const { return input_->text().trimmed(); }
QString FilesPanel::outputPath() const { return output_->text().trimmed(); }

void FilesPanel::setInputPath(const QString& path) {
  if (input_->text() != path) input_->setText(path);
  if (path.trimmed().isEmpty() || path == last_input_) return;
  last_input_ = path;
  if (outputPath().isEmpty()) output_->setText(default_output(path.trimmed()));
  emit inputChanged(path.trimmed());
}

void FilesPanel::setOutputPath(const QString& path) { output_->setText(path); }

void FilesPanel::browseInput() {
  const QString dir = inputPath().isEmpty() ? QDir::currentPath() : QFileInfo(inputPath()).absolutePath();
  const QString path = QFileDialog::getOpenFileName(this, tr("Input audio file"), dir, kAudioFilter);
  if (!path.isEmpty()) setInputPath(path);
}

void FilesPanel::browseOutput() {
  const QString start = outputPath().isEmpty() ? QDir::currentPath() : outputPath();
  const QString path = QFileDialog::getSaveFileName(this, tr("Output audio file"), start, kAudioFilter);
  if (!path.isEmpty()) setOutputPath(path);
}

void FilesPanel::setRunning(bool running) {
  master_->setEnabled(!running);
  cancel_->setEnabled(running);
  input_->setEnabled(!running);
  output_->setEnabled(!running);
  if (running) {
    progress_->setValue(0);
    progress_->setFormat(tr("starting\u2026"));
  }
}

void FilesPanel::showProgress(const QString& stage, double fraction) {
  progress_->setValue(static_cast<int>(fraction * 1000.0));
  progress_->setFormat(QStringLiteral("%1  %p%").arg(stage));
}

void FilesPanel::showReport(const MasterReport& r) {
  setRunning(false);
  progress_->setValue(1000);
  progress_->setFormat(tr("done  %p%"));
  const LoudnessReport* sides[2] = {&r.before, &r.after};
  for (int c = 0; c < 2; ++c) {
    const LoudnessReport& l = *sides[c];
    const double values[] = {l.integrated_lufs, l.range_lu,       l.shortterm_max_lufs,        l.momentary_max_lufs,
                             l.true_peak_dbtp,  l.reconstruction_peak_dbtp, l.sample_peak_dbfs};
    for (int row = 0; row < static_cast<int>(std::size(values)); ++row) report_->item(row, c)->setText(format_db(values[row], row == 1 ? 1 : 2, row != 1));
  }
  report_->item(0, 2)->setText(r.target_lufs ? format_db(*r.target_lufs, 1) : tr("off"));
  for (int row : {4, 5}) {
    report_->item(row, 2)->setText(tr("\u2264 %1").arg(format_db(r.ceiling_dbtp, 1)));
    const double peak = row == 4 ? r.after.true_peak_dbtp : r.after.reconstruction_peak_dbtp;
    const bool ok = peak <= r.ceiling_dbtp + 1e-9;
    report_->item(row, 1)->setForeground(ok ? QColor(120, 220, 120) : colors::kMeterHigh);
  }
  const bool hit = r.target_reached;
  report_->item(0, 1)->setForeground(hit ? QColor(120, 220, 120) : colors::kMeterMid);
  QString summary = tr("Gain reduction: compressor max %1 dB, limiter max %2 dB. Limiter drive %3 dB, %4 limiter pass(es). "
                       "%5 Hz, %6, %7-bit, device %8, %9 s.")
                        .arg(QString::number(r.comp_gr_max_db, 'f', 1), QString::number(r.lim_gr_max_db, 'f', 1),
                             format_db(r.drive_db, 2), QString::number(r.passes), QString::number(r.sample_rate),
                             r.channels == 1 ? tr("mono") : tr("stereo"), QString::number(r.out_bits),
                             backend_text(r.backend), QString::number(r.seconds, 'f', 2));
  if (!r.note.isEmpty()) summary += QStringLiteral("<br><span style='color:#e6c83c'>%1</span>").arg(r.note.toHtmlEscaped());
  summary_->setText(QStringLiteral("<b>%1</b><br>%2").arg(r.output.toHtmlEscaped(), summary));
}

void FilesPanel::showFailure(const QString& message, bool cancelled) {
  setRunning(false);
  progress_->setValue(0);
  progress_->setFormat(cancelled ? tr("cancelled") : tr("failed"));
  summary_->setText(QStringLiteral("<span style='color:%1'>%2</span>")
                        .arg(cancelled ? QStringLiteral("#e6c83c") : colors::kMeterHigh.name(), message.toHtmlEscaped()));
}

void FilesPanel::showInputInfo(const AudioFileInfo& info) {
  if (!info.error.isEmpty()) {
    input_info_->setText(QStringLiteral("<span style='color:%1'>%2</span>").arg(colors::kMeterHigh.name(), info.error.toHtmlEscaped()));
    return;
  }
  const int seconds = static_cast<int>(std::lround(info.duration_s));
  QString bits = info.bits > 0 ? QStringLiteral(", %1-bit%2").arg(info.bits).arg(info.is_float ? " float" : "") : QString();
  input_info_->setText(QStringLiteral("%1 Hz, %2%3, %4:%5")
                           .arg(info.sample_rate)
                           .arg(info.channels == 1 ? tr("mono") : tr("stereo"), bits)
                           .arg(seconds / 60)
                           .arg(seconds % 60, 2, 10, QLatin1Char('0')));
}

}  // namespace lathe::gui
