// SPDX-License-Identifier: MIT
// The main window: puts the panels together, owns the chain model, the device worker's
// thread and the board watcher's, and shows every error in the window (the banner under
// the top bar).
#pragma once
#include <QMainWindow>
#include <QThread>
#include <optional>

#include "device_worker.hpp"
#include "live_worker.hpp"

class QLabel;
class QFrame;

namespace lathe::gui {

class BoardWatcher;
class ChainModel;
class DevicePanel;
class DynamicsPanel;
class EqPanel;
class FilesPanel;
class MetersPanel;
class PresetPanel;
class TransportBar;

struct WindowOptions {
  QString device = QStringLiteral("auto");
  QString preset;  // a built-in name or a preset file; empty: streaming
  QString input, output;
  bool master = false;  // master the input into the output at once
  bool play = false;    // start the preview at once (after the master, with both)
  PreviewClock preview_clock;  // paces the preview; empty: the steady clock (tests step their own)
};

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(const WindowOptions& options = {}, DeviceFactory factory = open_device, QWidget* parent = nullptr);
  ~MainWindow() override;

  ChainModel* model() const { return model_; }
  DeviceWorker* worker() const { return worker_; }
  LiveWorker* liveWorker() const { return live_; }
  bool liveRunning() const { return live_running_; }
  bool boardLiveRunning() const { return board_live_.running; }
  const BoardLiveStatus& boardLiveStatus() const { return board_live_; }
  const LiveStatus& liveStatus() const { return live_status_; }
  BoardWatcher* boardWatcher() const { return boards_; }
  EqPanel* eqPanel() const { return eq_; }
  PresetPanel* presetPanel() const { return presets_; }
  FilesPanel* filesPanel() const { return files_; }
  DevicePanel* devicePanel() const { return device_; }
  TransportBar* transport() const { return transport_; }
  QString errorText() const;  // what the error banner shows; empty when hidden

 public slots:
  void showError(const QString& message);
  void clearError();
  void startPreview();
  void startLive();
  void stopLive();

 signals:
  void openDeviceRequested(const QString& kind);
  void registersReady(const lathe::reg::RegisterImage& regs, int sample_rate);
  void previewRequested(const QString& path);
  void stopRequested();
  void masterJobRequested(const lathe::gui::MasterJob& job);
  void liveStartRequested(const QString& device, const lathe::ChainParams& params, const QString& client_name);
  void liveStopRequested();
  void boardLiveStartRequested();
  void boardLiveStopRequested();

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void sendRegisters();
  void startMaster(const QString& input, const QString& output);
  void onState(DeviceState state, const QString& detail);
  void showLive(const LiveStatus& status);
  void showBoardLive(const BoardLiveStatus& status);

  ChainModel* model_;
  QThread thread_;
  DeviceWorker* worker_;
  // Its own thread: reading an arriving board's serial opens it for a moment, and the
  // device thread may be busy for minutes with a master job.
  QThread boards_thread_;
  BoardWatcher* boards_;
  // The Live (JACK) client's thread: opening and closing a client may take a moment.
  QThread live_thread_;
  LiveWorker* live_;
  LiveStatus live_status_;
  bool live_running_ = false;  // Live runs: the JACK client, or a board's own live path
  BoardLiveStatus board_live_;
  QString backend_ = QStringLiteral("model");  // what the device thread runs: Live uses the same
  DevicePanel* device_;
  TransportBar* transport_;
  EqPanel* eq_;
  DynamicsPanel* dynamics_;
  MetersPanel* meters_;
  PresetPanel* presets_;
  FilesPanel* files_;
  QFrame* banner_;
  QLabel* banner_text_;
  std::optional<reg::RegisterImage> sent_;
  int sent_rate_ = 0;
  bool banner_is_validation_ = false;
  bool previewing_ = false;
};

void register_meta_types();

}  // namespace lathe::gui
