// SPDX-License-Identifier: MIT
// Boards arriving and leaving while the window is open: libusb's hotplug events
// (lathe::usb::HotplugWatcher, as `lathe devices --watch`), polled on a thread of their
// own, because taking an arrival's serial number means opening the board for a moment.
// Nothing here claims a board: the list shows serial, bus and address only.
#pragma once
#include <QMetaType>
#include <QObject>
#include <QString>
#include <memory>

class QTimer;

namespace lathe::usb {
class HotplugWatcher;
}

namespace lathe::gui {

// One attached board as the device list shows it.
struct BoardEntry {
  QString serial;   // empty when it could not be read
  int bus = 0;
  int address = 0;
  QString problem;  // why the serial could not be read

  QString kind() const { return QStringLiteral("usb:") + serial; }  // for open_device
  QString label() const;  // "usb: LT-0042 (bus 1 address 4)"
  bool sameSocket(const BoardEntry& other) const { return bus == other.bus && address == other.address; }
};

class BoardWatcher : public QObject {
  Q_OBJECT

 public:
  // Hotplug events wait at most this long for the window (libusb queues them meanwhile).
  static constexpr int kPollIntervalMs = 250;

  explicit BoardWatcher(QObject* parent = nullptr);
  ~BoardWatcher() override;

 public slots:
  // Run on the watcher's thread: boards already attached come first, as arrivals.
  void start();

 signals:
  void boardAttached(const lathe::gui::BoardEntry& board);
  void boardDetached(const lathe::gui::BoardEntry& board);
  // The list cannot follow the bus (no hotplug in libusb, a bad LATHE_USB_ID); the fixed
  // entries still work.
  void unavailable(const QString& reason);
  // One look at the bus is done (every event it found emitted first): what a test waits
  // for to know that an absent board was looked for, instead of waiting some time.
  void polled();

 private:
  void poll();

  std::unique_ptr<usb::HotplugWatcher> watcher_;
  QTimer* timer_;
};

}  // namespace lathe::gui

Q_DECLARE_METATYPE(lathe::gui::BoardEntry)
