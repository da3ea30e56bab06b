// SPDX-License-Identifier: MIT
// Mastering a file: input and output, Master and Cancel, the progress bar, and the
// before/after report (loudness, true peak, gain reduction).
#pragma once
#include <QWidget>

#include "device_worker.hpp"

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace lathe::gui {

class FilesPanel : public QWidget {
  Q_OBJECT

 public:
  explicit FilesPanel(QWidget* parent = nullptr);
  QString inputPath() const;
  QString outputPath() const;
  void setInputPath(const QString& path);
  void setOutputPath(const QString& path);
  QPushButton* masterButton() const { return master_; }
  QPushButton* cancelButton() const { return cancel_; }

 public slots:
  void setRunning(bool running);
  void showProgress(const QString& stage, double fraction);
  void showReport(const lathe::gui::MasterReport& report);
  void showFailure(const QString& message, bool cancelled);
  void showInputInfo(const lathe::gui::AudioFileInfo& info);

 signals:
  void masterRequested(const QString& input, const QString& output);
  void cancelRequested();
  void inputChanged(const QString& path);

 private:
  void browseInput();
  void browseOutput();

  QLineEdit *input_, *output_;
  QLabel *input_info_, *summary_;
  QPushButton *master_, *cancel_;
  QProgressBar* progress_;
  QTableWidget* report_;
  QString last_input_;
};

}  // namespace lathe::gui
