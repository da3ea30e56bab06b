// SPDX-License-Identifier: MIT
#include "preset_panel.hpp"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <variant>

#include "chain_model.hpp"
#include "lathe/preset.hpp"

namespace lathe::gui {

PresetPanel::PresetPanel(ChainModel* model, QWidget* parent) : QWidget(parent), model_(model), dir_(QDir::currentPath()) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(new QLabel(tr("<b>PRESET</b>")));
  builtins_ = new QComboBox;
  builtins_->setObjectName("builtinPresets");
  builtins_->setPlaceholderText(tr("built-in\u2026"));
  builtins_->setToolTip(tr("Built-in presets"));
  builtins_->setMinimumWidth(120);
  for (const std::string& name : builtin_preset_names()) {
    const Preset p = *builtin_preset(name);
    builtins_->addItem(QString::fromStdString(name), QString::fromStdString(name));
    builtins_->setItemData(builtins_->count() - 1, QString::fromStdString(p.description), Qt::ToolTipRole);
  }
  layout->addWidget(builtins_);
  open_ = new QPushButton(tr("Open\u2026"));
  open_->setObjectName("presetOpen");
  open_->setToolTip(tr("Load a preset file (JSON, as `lathe presets NAME` prints) (Ctrl+O)"));
  save_ = new QPushButton(tr("Save as\u2026"));
  save_->setObjectName("presetSave");
  save_->setToolTip(tr("Save the settings as a preset file for `lathe master --preset FILE.json` (Ctrl+S)"));
  layout->addWidget(open_);
  layout->addWidget(save_);
  layout->addSpacing(12);
  layout->addWidget(new QLabel(tr("Name")));
  name_ = new QLineEdit;
  name_->setObjectName("presetName");
  name_->setMaximumWidth(180);
  layout->addWidget(name_, 1);
  layout->addWidget(new QLabel(tr("Description")));
  description_ = new QLineEdit;
  description_->setObjectName("presetDescription");
  layout->addWidget(description_, 3);
  source_ = new QLabel;
  source_->setObjectName("presetSource");
  source_->setStyleSheet(QStringLiteral("color: #969ca6;"));
  source_->setMaximumWidth(320);
  layout->addWidget(source_, 1);

  connect(builtins_, &QComboBox::activated, this,
          [this](int index) { applyBuiltin(builtins_->itemData(index).toString()); });
  connect(open_, &QPushButton::clicked, this, &PresetPanel::openDialog);
  connect(save_, &QPushButton::clicked, this, &PresetPanel::saveDialog);
  auto commit_info = [this] { model_->setPresetInfo(name_->text().toStdString(), description_->text().toStdString()); };
  connect(name_, &QLineEdit::editingFinished, this, commit_info);
  connect(description_, &QLineEdit::editingFinished, this, commit_info);
  connect(model_, &ChainModel::changed, this, &PresetPanel::refresh);
  source_->setText(tr("built-in"));
  builtins_->setCurrentIndex(builtins_->findData(QString::fromStdString(model_->preset().name)));
  refresh();
}

void PresetPanel::refresh() {
  const Preset& p = model_->preset();
  const QString name = QString::fromStdString(p.name), description = QString::fromStdString(p.description);
  if (name_->text() != name && !name_->hasFocus()) name_->setText(name);
  if (description_->text() != description && !description_->hasFocus()) description_->setText(description);
  description_->setCursorPosition(0);
}

bool PresetPanel::applyBuiltin(const QString& name) {
  auto p = builtin_preset(name.toStdString());
  if (!p) {
    emit errorOccurred(tr("unknown built-in preset '%1'").arg(name));
    return false;
  }
  model_->setPreset(*p);
  builtins_->setCurrentIndex(builtins_->findData(name));
  source_->setText(tr("built-in"));
  emit message(tr("Preset %1 loaded").arg(name));
  return true;
}

bool PresetPanel::loadFile(const QString& path) {
  auto loaded = load_preset_file(path.toStdString());
  if (!loaded) {
    emit errorOccurred(QString::fromStdString(loaded.error().message()));
    return false;
  }
  model_->setPreset(*loaded);
  builtins_->setCurrentIndex(-1);
  dir_ = QFileInfo(path).absolutePath();
  source_->setText(QFileInfo(path).fileName());
  source_->setToolTip(path);
  emit message(tr("Preset loaded from %1").arg(path));
  return true;
}

bool PresetPanel::saveFile(const QString& path) {
  // Whatever is typed in the name fields counts, even before Enter.
  model_->setPresetInfo(name_->text().toStdString(), description_->text().toStdString());
  if (auto e = save_preset_file(path.toStdString(), model_->preset())) {
    emit errorOccurred(QString::fromStdString(e.message()));
    return false;
  }
  dir_ = QFileInfo(path).absolutePath();
  source_->setText(QFileInfo(path).fileName());
  source_->setToolTip(path);
  emit message(tr("Preset saved to %1").arg(path));
  return true;
}

void PresetPanel::openDialog() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open preset"), dir_, tr("Lathe presets (*.json);;All files (*)"));
  if (!path.isEmpty()) loadFile(path);
}

void PresetPanel::saveDialog() {
  QString suggestion = QString::fromStdString(model_->preset().name);
  if (suggestion.isEmpty()) suggestion = QStringLiteral("preset");
  QString path = QFileDialog::getSaveFileName(this, tr("Save preset"), QDir(dir_).filePath(suggestion + ".json"),
                                              tr("Lathe presets (*.json)"));
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".json");
  saveFile(path);
}

}  // namespace lathe::gui
