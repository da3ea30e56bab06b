// SPDX-License-Identifier: MIT
// The top bar: which back end (auto, model, sim, usb, or one of the boards attached now),
// which board and its state; and the transport of the live preview (play, stop, A/B
// bypass).
#pragma once
#include <QWidget>

#include "board_watcher.hpp"
#include "device_worker.hpp"

class QComboBox;
class QLabel;
class QPushButton;

namespace lathe::gui {

class ChainModel;

class DevicePanel : public QWidget {
  Q_OBJECT

 public:
  explicit DevicePanel(QWidget* parent = nullptr);
  // A "usb:SERIAL" not attached (yet) is chosen when that board arrives, unless the
  // user picks something else first.
  void setRequestedKind(const QString& kind);
  QString requestedKind() const;

 public slots:
  void showStatus(const lathe::gui::DeviceStatus& status);
  void showState(lathe::gui::DeviceState state, const QString& detail);
  // The list of boards follows the bus; the fixed entries stay.
  void addBoard(const lathe::gui::BoardEntry& board);
  void removeBoard(const lathe::gui::BoardEntry& board);
  void showBoardListUnavailable(const QString& reason);

 signals:
  void openRequested(const QString& kind);

 private:
  int boardIndex(const lathe::gui::BoardEntry& board) const;

  QComboBox* kind_;
  QString pending_kind_;  // a board asked for before it was attached
  QPushButton* connect_;
  QLabel *lamp_, *name_, *details_, *state_;
};

class TransportBar : public QWidget {
  Q_OBJECT

 public:
  explicit TransportBar(ChainModel* model, QWidget* parent = nullptr);
  QPushButton* playButton() const { return play_; }
  QPushButton* bypassButton() const { return bypass_; }
  // Live (JACK): checked while the window's JACK client runs.
  QPushButton* liveButton() const { return live_; }
  QLabel* liveStatusLabel() const { return live_status_; }

 public slots:
  void setPlaying(bool playing);
  void setMastering(bool mastering);
  // The client runs (or not): the preview is off meanwhile (and the button says why).
  void setLive(bool running);
  void setLiveStarting();
  void showLiveStatus(const QString& text);

 signals:
  void playRequested();
  void stopRequested();
  void liveStartRequested();
  void liveStopRequested();

 private:
  void updateEnabled();
  ChainModel* model_;
  QPushButton *play_, *bypass_, *live_;
  QLabel* live_status_;
  bool playing_ = false, mastering_ = false, live_running_ = false;
};

}  // namespace lathe::gui
