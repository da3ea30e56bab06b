// SPDX-License-Identifier: MIT
#include "theme.hpp"

#include <QApplication>
#include <QPalette>
#include <QStyleFactory>
#include <array>
#include <cmath>

namespace lathe::gui {

void apply_theme(QApplication& app) {
  app.setStyle(QStyleFactory::create("Fusion"));
  QPalette p;
  const QColor window{45, 48, 54}, base{32, 34, 39}, text{222, 225, 230}, disabled{120, 124, 132};
  p.setColor(QPalette::Window, window);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, base);
  p.setColor(QPalette::AlternateBase, window);
  p.setColor(QPalette::ToolTipBase, base);
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::PlaceholderText, disabled);
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, QColor(58, 62, 70));
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::BrightText, Qt::white);
  p.setColor(QPalette::Highlight, QColor(255, 160, 50));
  p.setColor(QPalette::HighlightedText, Qt::black);
  p.setColor(QPalette::Link, colors::kChannel1);
  p.setColor(QPalette::Mid, QColor(36, 38, 43));
  p.setColor(QPalette::Dark, QColor(28, 30, 34));
  p.setColor(QPalette::Shadow, QColor(16, 17, 20));
  for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
    p.setColor(QPalette::Disabled, role, disabled);
  p.setColor(QPalette::Disabled, QPalette::Base, window);
  app.setPalette(p);
}

QColor colors::band(int band) {
  static const std::array<QColor, 8> kBands = {
      QColor(255, 99, 99), QColor(255, 170, 60), QColor(240, 225, 70), QColor(120, 220, 100),
      QColor(70, 210, 200), QColor(90, 160, 255), QColor(170, 130, 255), QColor(240, 120, 220)};
  return kBands[static_cast<std::size_t>(band) % kBands.size()];
}

QString format_db(double value, int decimals, bool sign) {
  if (std::isnan(value)) return QStringLiteral("--");
  if (std::isinf(value)) return value < 0 ? QStringLiteral("-inf") : QStringLiteral("+inf");
  QString s = QString::number(value, 'f', decimals);
  if (sign && value >= 0 && !s.startsWith('-')) s.prepend('+');
  return s;
}

QString format_hz(double hz) {
  if (hz >= 1000.0) return QString::number(hz / 1000.0, 'f', hz >= 10000.0 ? 1 : 2) + QStringLiteral(" kHz");
  return QString::number(hz, 'f', hz >= 100.0 ? 0 : 1) + QStringLiteral(" Hz");
}

}  // namespace lathe::gui
