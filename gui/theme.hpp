// SPDX-License-Identifier: MIT
// The application's look (a dark Fusion palette, as mastering tools use) and the few
// colours and number formats that several widgets share.
#pragma once
#include <QColor>
#include <QString>

class QApplication;

namespace lathe::gui {

void apply_theme(QApplication& app);

namespace colors {
inline const QColor kPlotBackground{24, 26, 30};
inline const QColor kGridMajor{62, 66, 74};
inline const QColor kGridMinor{40, 43, 49};
inline const QColor kAxisText{150, 156, 166};
inline const QColor kChannel0{255, 176, 64};   // L, or M
inline const QColor kChannel1{80, 196, 255};   // R, or S
inline const QColor kMeterLow{70, 200, 110};
inline const QColor kMeterMid{230, 200, 60};
inline const QColor kMeterHigh{235, 70, 60};
inline const QColor kReduction{240, 140, 50};
inline const QColor kError{200, 50, 45};
// One colour per EQ band, the same in the curve and in the band controls.
QColor band(int band);
}  // namespace colors

// "-inf" for -infinity; else the value with `decimals` and an explicit sign if asked.
QString format_db(double value, int decimals = 1, bool sign = true);
// 20 Hz -> "20 Hz", 1234 Hz -> "1.23 kHz".
QString format_hz(double hz);

}  // namespace lathe::gui
