// SPDX-License-Identifier: MIT
// The preset bar: the built-ins, and the JSON preset files the CLI reads and writes
// (`lathe master --preset FILE.json`, `--save-preset FILE.json`).
#pragma once
#include <QWidget>

class QLabel;
class QLineEdit;
class QComboBox;
class QPushButton;

namespace lathe::gui {

class ChainModel;

class PresetPanel : public QWidget {
  Q_OBJECT

 public:
  explicit PresetPanel(ChainModel* model, QWidget* parent = nullptr);

  // What the buttons do once a file is chosen; false (and errorOccurred) on failure.
  bool loadFile(const QString& path);
  bool saveFile(const QString& path);
  bool applyBuiltin(const QString& name);

 public slots:
  void openDialog();
  void saveDialog();

 signals:
  void errorOccurred(const QString& message);
  void message(const QString& text);

 private:
  void refresh();

  ChainModel* model_;
  QComboBox* builtins_;
  QLineEdit *name_, *description_;
  QLabel* source_;
  QPushButton *open_, *save_;
  QString dir_;
};

}  // namespace lathe::gui
