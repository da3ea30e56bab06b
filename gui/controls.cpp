// SPDX-License-Identifier: MIT
#include "controls.hpp"

#include <QDoubleSpinBox>
#include <QSignalBlocker>

namespace lathe::gui {

QDoubleSpinBox* make_spin_box(const QString& object_name, double lo, double hi, int decimals, const QString& suffix,
                              double step) {
  auto* s = new QDoubleSpinBox;
  s->setObjectName(object_name);
  s->setRange(lo, hi);
  s->setDecimals(decimals);
  s->setSuffix(suffix);
  s->setSingleStep(step);
  s->setKeyboardTracking(false);
  s->setAlignment(Qt::AlignRight);
  return s;
}

void show_value(QDoubleSpinBox* box, double value) {
  if (box->value() == value) return;
  const QSignalBlocker block(box);
  box->setValue(value);
}

}  // namespace lathe::gui
