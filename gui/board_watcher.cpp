// SPDX-License-Identifier: MIT
#include "board_watcher.hpp"

#include <QTimer>
#include <chrono>
#include <string>

#include "lathe/usb/hotplug.hpp"

namespace lathe::gui {
namespace {

// How long one poll lets libusb deliver events it has not queued yet. Events that came
// between polls are already waiting, so a short slice loses nothing.
constexpr std::chrono::milliseconds kEventSlice{5};

BoardEntry entry_of(const usb::BoardReport& board) {
  return BoardEntry{QString::fromStdString(board.serial), board.bus, board.address,
                    QString::fromStdString(board.error.message())};
}

}  // namespace

QString BoardEntry::label() const {
  if (serial.isEmpty()) return QStringLiteral("usb: bus %1 address %2 (serial unreadable)").arg(bus).arg(address);
  return QStringLiteral("usb: %1 (bus %2 address %3)").arg(serial).arg(bus).arg(address);
}

BoardWatcher::BoardWatcher(QObject* parent) : QObject(parent), timer_(new QTimer(this)) {
  timer_->setInterval(kPollIntervalMs);
  connect(timer_, &QTimer::timeout, this, &BoardWatcher::poll);
}

BoardWatcher::~BoardWatcher() = default;

void BoardWatcher::start() {
  const auto id = usb::usb_id_from_environment();
  if (!id) {
    emit unavailable(QString::fromStdString(id.error().message()));
    return;
  }
  auto watcher = std::make_unique<usb::HotplugWatcher>();
  if (auto e = watcher->start(*id)) {
    emit unavailable(QString::fromStdString(e.message()));
    return;
  }
  watcher_ = std::move(watcher);
  poll();  // the boards already attached, without waiting for the first tick
  timer_->start();
}

void BoardWatcher::poll() {
  if (!watcher_) return;
  // Arrivals are opened for a moment here to read their serial; never claimed.
  while (const auto event = watcher_->next(kEventSlice, false)) {
    if (event->kind == usb::HotplugEvent::Kind::kAttached) emit boardAttached(entry_of(event->board));
    else emit boardDetached(entry_of(event->board));
  }
  emit polled();
}

}  // namespace lathe::gui
