// SPDX-License-Identifier: MIT
#include "main_window.hpp"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QFrame>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QShortcut>
#include <QStatusBar>
#include <QToolButton>
#include <QVBoxLayout>

#include "board_watcher.hpp"
#include "chain_model.hpp"
#include "device_panel.hpp"
#include "dynamics_panel.hpp"
#include "eq_panel.hpp"
#include "files_panel.hpp"
#include "meters_panel.hpp"
#include "preset_panel.hpp"
#include "theme.hpp"

namespace lathe::gui {
namespace {

QFrame* panel(QWidget* content, const char* name) {
  auto* frame = new QFrame;
  frame->setObjectName(name);
  frame->setFrameShape(QFrame::StyledPanel);
  frame->setStyleSheet(QStringLiteral("QFrame#%1 { background: #2d3036; border: 1px solid #24262b; border-radius: 4px; }")
                           .arg(QLatin1String(name)));
  auto* l = new QVBoxLayout(frame);
  l->setContentsMargins(8, 6, 8, 8);
  l->addWidget(content);
  return frame;
}

}  // namespace

void register_meta_types() {
  qRegisterMetaType<reg::RegisterImage>();
  qRegisterMetaType<DeviceStatus>();
  qRegisterMetaType<DeviceState>();
  qRegisterMetaType<AudioFileInfo>();
  qRegisterMetaType<MeterReading>();
  qRegisterMetaType<MasterJob>();
  qRegisterMetaType<MasterReport>();
  qRegisterMetaType<BoardEntry>();
  qRegisterMetaType<ChainParams>();
  qRegisterMetaType<LiveStatus>();
  qRegisterMetaType<BoardLiveStatus>();
}

MainWindow::MainWindow(const WindowOptions& options, DeviceFactory factory, QWidget* parent)
    : QMainWindow(parent),
      model_(new ChainModel(this)),
      worker_(new DeviceWorker(std::move(factory), options.preview_clock)),
      boards_(new BoardWatcher),
      live_(new LiveWorker) {
  register_meta_types();
  setWindowTitle(tr("Lathe"));
  setAcceptDrops(true);
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  thread_.setObjectName(QStringLiteral("lathe-device"));
  thread_.start();
  live_->moveToThread(&live_thread_);
  connect(&live_thread_, &QThread::finished, live_, &QObject::deleteLater);
  live_thread_.setObjectName(QStringLiteral("lathe-live"));
  live_thread_.start();

  device_ = new DevicePanel;
  transport_ = new TransportBar(model_);
  eq_ = new EqPanel(model_);
  dynamics_ = new DynamicsPanel(model_);
  meters_ = new MetersPanel(model_);
  presets_ = new PresetPanel(model_);
  files_ = new FilesPanel;

  auto* central = new QWidget;
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(8, 6, 8, 4);
  layout->setSpacing(6);
  auto* top = new QHBoxLayout;
  top->addWidget(device_, 1);
  top->addWidget(transport_);
  layout->addLayout(top);

  banner_ = new QFrame;
  banner_->setObjectName("errorFrame");
  banner_->setStyleSheet(QStringLiteral("QFrame#errorFrame { background: %1; border-radius: 3px; } QLabel { color: white; }")
                             .arg(colors::kError.name()));
  auto* banner_layout = new QHBoxLayout(banner_);
  banner_layout->setContentsMargins(8, 3, 4, 3);
  banner_text_ = new QLabel;
  banner_text_->setObjectName("errorBanner");
  banner_text_->setWordWrap(true);
  banner_text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* dismiss = new QToolButton;
  dismiss->setText(QStringLiteral("\u2715"));
  dismiss->setAutoRaise(true);
  dismiss->setToolTip(tr("Dismiss"));
  banner_layout->addWidget(banner_text_, 1);
  banner_layout->addWidget(dismiss);
  banner_->hide();
  layout->addWidget(banner_);

  layout->addWidget(presets_);
  auto* body = new QHBoxLayout;
  auto* left = new QVBoxLayout;
  left->addWidget(panel(eq_, "eqFrame"), 1);
  left->addWidget(dynamics_, 0);
  auto* files_box = new QGroupBox(tr("Master a file"));
  (new QVBoxLayout(files_box))->addWidget(files_);
  left->addWidget(files_box, 0);
  body->addLayout(left, 1);
  auto* meters_frame = panel(meters_, "metersFrame");
  meters_frame->setFixedWidth(360);
  body->addWidget(meters_frame);
  layout->addLayout(body, 1);
  setCentralWidget(central);
  statusBar()->setSizeGripEnabled(true);

  // Requests to the device thread (queued: the worker lives there).
  connect(this, &MainWindow::openDeviceRequested, worker_, &DeviceWorker::openDevice);
  connect(device_, &DevicePanel::openRequested, worker_, &DeviceWorker::openDevice);
  connect(this, &MainWindow::registersReady, worker_, &DeviceWorker::applyRegisters);
  connect(this, &MainWindow::previewRequested, worker_, &DeviceWorker::startPreview);
  connect(this, &MainWindow::stopRequested, worker_, &DeviceWorker::stopPreview);
  connect(this, &MainWindow::masterJobRequested, worker_, &DeviceWorker::masterFile);
  connect(files_, &FilesPanel::inputChanged, worker_, &DeviceWorker::probeFile);
  connect(meters_, &MetersPanel::resetRequested, worker_, &DeviceWorker::resetMeters);

  // Boards arriving and leaving: the list follows them; the worker drops a pulled board
  // at once, even while idle, instead of at its next register write.
  connect(boards_, &BoardWatcher::boardAttached, device_, &DevicePanel::addBoard);
  connect(boards_, &BoardWatcher::boardDetached, device_, &DevicePanel::removeBoard);
  connect(boards_, &BoardWatcher::boardDetached, worker_,
          [worker = worker_](const BoardEntry& board) { worker->boardDetached(board.serial); });
  connect(boards_, &BoardWatcher::unavailable, device_, &DevicePanel::showBoardListUnavailable);

  // Reports from the device thread.
  connect(worker_, &DeviceWorker::deviceOpened, device_, &DevicePanel::showStatus);
  connect(worker_, &DeviceWorker::deviceOpened, this, [this](const DeviceStatus& s) {
    statusBar()->showMessage(s.message, 8000);
  });
  connect(worker_, &DeviceWorker::stateChanged, this, &MainWindow::onState);
  connect(worker_, &DeviceWorker::errorOccurred, this, &MainWindow::showError);
  connect(worker_, &DeviceWorker::fileProbed, files_, &FilesPanel::showInputInfo);
  connect(worker_, &DeviceWorker::fileProbed, this, [this](const AudioFileInfo& info) {
    if (info.error.isEmpty()) model_->setSampleRate(info.sample_rate);
  });
  connect(worker_, &DeviceWorker::previewStarted, this, [this](const AudioFileInfo& info) {
    previewing_ = true;
    transport_->setPlaying(true);
    model_->setSampleRate(info.sample_rate);  // the registers for this rate follow at once
    files_->showInputInfo(info);
  });
  connect(worker_, &DeviceWorker::previewStopped, this, [this] {
    previewing_ = false;
    transport_->setPlaying(false);
    meters_->clear();
  });
  connect(worker_, &DeviceWorker::metersUpdated, meters_, &MetersPanel::showReading);
  connect(worker_, &DeviceWorker::masterProgress, files_, &FilesPanel::showProgress);
  connect(worker_, &DeviceWorker::masterFinished, files_, &FilesPanel::showReport);
  connect(worker_, &DeviceWorker::masterFinished, this, [this](const MasterReport& r) {
    transport_->setMastering(false);
    statusBar()->showMessage(tr("Mastered %1").arg(r.output), 10000);
  });
  connect(worker_, &DeviceWorker::masterFailed, files_, &FilesPanel::showFailure);
  connect(worker_, &DeviceWorker::masterFailed, this, [this](const QString& message, bool cancelled) {
    transport_->setMastering(false);
    if (cancelled) statusBar()->showMessage(message, 10000);
  });

  // Live (JACK): the window hosts the client (live_worker.hpp).
  connect(this, &MainWindow::liveStartRequested, live_, &LiveWorker::start);
  connect(this, &MainWindow::liveStopRequested, live_, &LiveWorker::stop);
  connect(this, &MainWindow::registersReady, live_, &LiveWorker::applyRegisters);
  connect(transport_, &TransportBar::liveStartRequested, this, &MainWindow::startLive);
  connect(transport_, &TransportBar::liveStopRequested, this, &MainWindow::stopLive);
  connect(meters_, &MetersPanel::resetRequested, live_, &LiveWorker::resetMeters);
  connect(live_, &LiveWorker::errorOccurred, this, &MainWindow::showError);
  connect(live_, &LiveWorker::metersUpdated, meters_, &MetersPanel::showReading);
  connect(live_, &LiveWorker::statusChanged, this, &MainWindow::showLive);
  connect(live_, &LiveWorker::started, this, [this](const LiveStatus& st) {
    live_running_ = true;
    transport_->setLive(true);
    files_->masterButton()->setEnabled(false);
    files_->masterButton()->setToolTip(tr("Stop Live to master a file"));
    // The registers for the server's rate follow at once (and reach the session).
    model_->setSampleRate(st.rate);
    showLive(st);
    statusBar()->showMessage(tr("Live: JACK client '%1' on server '%2'; %3").arg(st.client, st.server, st.device), 10000);
  });
  connect(live_, &LiveWorker::stopped, this, [this] {
    const bool was = live_running_;
    live_running_ = false;
    live_status_ = LiveStatus{};
    transport_->setLive(false);
    files_->masterButton()->setEnabled(true);
    files_->masterButton()->setToolTip(QString());
    if (was) meters_->clear();
  });
  connect(worker_, &DeviceWorker::deviceOpened, this, [this](const DeviceStatus& s) {
    if (s.open) backend_ = backend_text(s.backend);
  });
  // Live with a board: its own live path, driven by the device thread, which holds it.
  connect(this, &MainWindow::boardLiveStartRequested, worker_, &DeviceWorker::startBoardLive);
  connect(this, &MainWindow::boardLiveStopRequested, worker_, &DeviceWorker::stopBoardLive);
  connect(worker_, &DeviceWorker::boardLiveChanged, this, &MainWindow::showBoardLive);

  // Views and the model.
  connect(model_, &ChainModel::changed, this, &MainWindow::sendRegisters);
  connect(model_, &ChainModel::changed, this, [this] {
    const QString name = QString::fromStdString(model_->preset().name);
    setWindowTitle(name.isEmpty() ? tr("Lathe") : tr("Lathe \u2013 %1").arg(name));
  });
  connect(presets_, &PresetPanel::errorOccurred, this, &MainWindow::showError);
  connect(presets_, &PresetPanel::message, this, [this](const QString& m) {
    clearError();
    statusBar()->showMessage(m, 6000);
  });
  connect(transport_, &TransportBar::playRequested, this, &MainWindow::startPreview);
  connect(transport_, &TransportBar::stopRequested, this, &MainWindow::stopRequested);
  connect(files_, &FilesPanel::masterRequested, this, &MainWindow::startMaster);
  connect(files_, &FilesPanel::cancelRequested, this, [this] { worker_->requestCancel(); });
  connect(dismiss, &QToolButton::clicked, this, &MainWindow::clearError);

  auto shortcut = [this](const QKeySequence& keys, auto&& slot) {
    auto* s = new QShortcut(keys, this);
    connect(s, &QShortcut::activated, this, slot);
  };
  shortcut(QKeySequence(Qt::Key_Space), [this] { transport_->playButton()->click(); });
  shortcut(QKeySequence(Qt::Key_B), [this] { transport_->bypassButton()->toggle(); });
  shortcut(QKeySequence::Open, [this] { presets_->openDialog(); });
  shortcut(QKeySequence::Save, [this] { presets_->saveDialog(); });
  shortcut(QKeySequence(Qt::CTRL | Qt::Key_M), [this] { files_->masterButton()->click(); });

  // Initial state.
  if (!options.preset.isEmpty()) {
    auto found = find_preset(options.preset.toStdString());
    if (!found) showError(QString::fromStdString(found.error().message()));
    else if (builtin_preset(options.preset.toStdString())) presets_->applyBuiltin(options.preset);
    else presets_->loadFile(options.preset);
  }
  device_->setRequestedKind(options.device);
  // After the connections above, so that no arrival is missed.
  boards_->moveToThread(&boards_thread_);
  connect(&boards_thread_, &QThread::started, boards_, &BoardWatcher::start);
  connect(&boards_thread_, &QThread::finished, boards_, &QObject::deleteLater);
  boards_thread_.setObjectName(QStringLiteral("lathe-boards"));
  boards_thread_.start();
  if (!options.output.isEmpty()) files_->setOutputPath(options.output);
  if (!options.input.isEmpty()) files_->setInputPath(options.input);
  sendRegisters();
  emit openDeviceRequested(options.device);
  if (options.master) startMaster(files_->inputPath(), files_->outputPath());
  if (options.play && !options.input.isEmpty()) startPreview();
  statusBar()->showMessage(tr("Drag a node: frequency and gain; wheel: Q; double-click: new band. "
                              "Space: preview, B: A/B bypass."));
}

MainWindow::~MainWindow() {
  worker_->requestCancel();  // a running job stops at its next progress step
  boards_thread_.quit();     // at most one poll (a few ms) to finish
  thread_.quit();
  live_thread_.quit();  // the worker's destructor closes a running client
  boards_thread_.wait();
  thread_.wait();
  live_thread_.wait();
}

QString MainWindow::errorText() const { return banner_->isHidden() ? QString() : banner_text_->text(); }

void MainWindow::showError(const QString& message) {
  banner_is_validation_ = false;
  banner_text_->setText(message);
  banner_->show();
  statusBar()->showMessage(tr("Error: %1").arg(message), 15000);
}

void MainWindow::clearError() {
  banner_->hide();
  banner_text_->clear();
  banner_is_validation_ = false;
}

void MainWindow::sendRegisters() {
  if (const auto& error = model_->validationError()) {
    showError(tr("Settings not sent to the device: %1").arg(QString::fromStdString(*error)));
    banner_is_validation_ = true;
    return;
  }
  if (banner_is_validation_) clearError();
  const reg::RegisterImage& regs = model_->registers();
  if (sent_ && *sent_ == regs && sent_rate_ == model_->sampleRate()) return;
  sent_ = regs;
  sent_rate_ = model_->sampleRate();
  emit registersReady(regs, model_->sampleRate());
}

void MainWindow::startPreview() {
  if (live_running_) {
    statusBar()->showMessage(tr("Stop Live to preview a file"), 6000);
    return;
  }
  const QString input = files_->inputPath();
  if (input.isEmpty()) {
    showError(tr("Choose an input file to preview (Master a file \u2192 Input)"));
    return;
  }
  emit previewRequested(input);
}

void MainWindow::startLive() {
  if (live_running_) return;
  clearError();
  if (previewing_) emit stopRequested();  // one stream at a time: Live takes over from the preview
  transport_->setLiveStarting();
  if (backend_ == QStringLiteral("usb")) {  // a board: its codec in and out, not JACK
    emit boardLiveStartRequested();
    return;
  }
  ChainParams params = model_->params();
  params.bypass = model_->bypass();
  emit liveStartRequested(backend_, params, QStringLiteral("lathe"));
}

void MainWindow::stopLive() {
  transport_->setLiveStarting();
  if (board_live_.running) emit boardLiveStopRequested();
  else emit liveStopRequested();
}

void MainWindow::showBoardLive(const BoardLiveStatus& st) {
  const bool was = board_live_.running;
  board_live_ = st;
  if (!st.running) {
    if (!was) {
      transport_->setLive(live_running_);  // a start that did not happen
      return;
    }
    live_running_ = false;
    transport_->setLive(false);
    files_->masterButton()->setEnabled(true);
    files_->masterButton()->setToolTip(QString());
    meters_->clear();
    statusBar()->showMessage(tr("Live: the board's live mode is off; it takes files again"), 8000);
    return;
  }
  if (!was) {
    live_running_ = true;
    transport_->setLive(true);
    files_->masterButton()->setEnabled(false);
    files_->masterButton()->setToolTip(tr("Stop Live to master a file"));
    statusBar()->showMessage(tr("Live: the board runs its codec in, the chain and its codec out; closing the window "
                                "leaves it running, Stop ends it"),
                             10000);
  }
  transport_->showLiveStatus(tr("board: %1 Hz, latency %2 samples (%3 ms); %4, %5 frames, %6 slot errors, %7 underruns, "
                                "%8 late, %9 clock stops")
                                 .arg(st.rate)
                                 .arg(st.latency)
                                 .arg(st.latencyMs(), 0, 'f', 2)
                                 .arg(st.audio ? tr("audio") : tr("no audio clock"))
                                 .arg(st.frames)
                                 .arg(st.rx_errors)
                                 .arg(st.underruns)
                                 .arg(st.late)
                                 .arg(st.clock_stops));
}

void MainWindow::showLive(const LiveStatus& st) {
  live_status_ = st;
  if (!st.running) return;
  transport_->showLiveStatus(tr("%1 Hz, %2-frame periods, latency %3 frames (%4 ms)")
                                 .arg(st.rate)
                                 .arg(st.period)
                                 .arg(st.latency)
                                 .arg(st.latencyMs(), 0, 'f', 2));
}

void MainWindow::startMaster(const QString& input, const QString& output) {
  if (live_running_) {
    showError(tr("Stop Live to master a file"));
    return;
  }
  if (input.isEmpty() || output.isEmpty()) {
    showError(input.isEmpty() ? tr("Choose an input file to master") : tr("Choose an output file"));
    return;
  }
  clearError();
  worker_->clearCancel();
  files_->setRunning(true);
  transport_->setMastering(true);
  emit masterJobRequested(MasterJob{input, output, model_->preset()});
}

void MainWindow::onState(DeviceState state, const QString& detail) { device_->showState(state, detail); }

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls() && event->mimeData()->urls().first().isLocalFile()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QString path = event->mimeData()->urls().first().toLocalFile();
  if (QFileInfo(path).suffix().compare(QStringLiteral("json"), Qt::CaseInsensitive) == 0) presets_->loadFile(path);
  else files_->setInputPath(path);
  event->acceptProposedAction();
}

}  // namespace lathe::gui
