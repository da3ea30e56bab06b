// SPDX-License-Identifier: MIT
// Small helpers for the panels' number controls, so they all behave alike.
#pragma once
#include <QString>

class QDoubleSpinBox;

namespace lathe::gui {

// A spin box that commits on Enter, arrows or focus loss, not on every keystroke (a
// half-typed "-1" would otherwise reach the device on its way to "-12").
QDoubleSpinBox* make_spin_box(const QString& object_name, double lo, double hi, int decimals, const QString& suffix,
                              double step);

// Shows a value from the model without echoing it back as an edit.
void show_value(QDoubleSpinBox* box, double value);

}  // namespace lathe::gui
