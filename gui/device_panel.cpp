// SPDX-License-Identifier: MIT
#include "device_panel.hpp"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QStandardItemModel>

#include "chain_model.hpp"

namespace lathe::gui {
namespace {

// The entries before the boards: auto, model, sim, usb.
constexpr int kFixedKinds = 4;
// A board entry's place on the bus, "bus-address": two boards may share a serial (or
// have none readable), never a place.
constexpr int kSocketRole = Qt::UserRole + 1;

QString socket_key(const BoardEntry& board) { return QStringLiteral("%1-%2").arg(board.bus).arg(board.address); }

QString kind_tooltip() { return QObject::tr("auto: a USB board when one is attached, else the model"); }

QString lamp_style(const QColor& c) {
  return QStringLiteral("QLabel { background: %1; border-radius: 6px; border: 1px solid #111; }").arg(c.name());
}

}  // namespace

DevicePanel::DevicePanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(new QLabel(tr("<b>DEVICE</b>")));
  kind_ = new QComboBox;
  kind_->setObjectName("deviceKind");
  kind_->addItem(tr("auto"), QStringLiteral("auto"));
  kind_->addItem(tr("model (bit-exact)"), QStringLiteral("model"));
  kind_->addItem(tr("sim (Verilated RTL)"), QStringLiteral("sim"));
  kind_->addItem(tr("usb (board)"), QStringLiteral("usb"));
  kind_->setToolTip(kind_tooltip());
  kind_->setSizeAdjustPolicy(QComboBox::AdjustToContents);  // a board's label in full
  layout->addWidget(kind_);
  connect_ = new QPushButton(tr("Connect"));
  connect_->setObjectName("deviceConnect");
  layout->addWidget(connect_);
  layout->addSpacing(10);
  lamp_ = new QLabel;
  lamp_->setFixedSize(12, 12);
  lamp_->setStyleSheet(lamp_style(QColor(90, 90, 90)));
  layout->addWidget(lamp_);
  name_ = new QLabel(tr("no device"));
  name_->setObjectName("deviceName");
  layout->addWidget(name_);
  details_ = new QLabel;
  details_->setObjectName("deviceDetails");
  details_->setStyleSheet(QStringLiteral("color: #969ca6;"));
  layout->addWidget(details_);
  layout->addSpacing(10);
  state_ = new QLabel;
  state_->setObjectName("deviceState");
  layout->addWidget(state_, 1);
  connect(connect_, &QPushButton::clicked, this, [this] { emit openRequested(requestedKind()); });
  connect(kind_, &QComboBox::activated, this, [this] { pending_kind_.clear(); });  // the user's choice wins
}

void DevicePanel::setRequestedKind(const QString& kind) {
  const int i = kind_->findData(kind);
  if (i >= 0) kind_->setCurrentIndex(i);
  pending_kind_ = i < 0 && kind.startsWith(QStringLiteral("usb:")) ? kind : QString();
}

QString DevicePanel::requestedKind() const { return kind_->currentData().toString(); }

int DevicePanel::boardIndex(const BoardEntry& board) const {
  return kind_->findData(socket_key(board), kSocketRole);
}

void DevicePanel::addBoard(const BoardEntry& board) {
  if (const int old = boardIndex(board); old >= 0) {  // a missed departure: the new board replaces it
    kind_->setItemText(old, board.label());
    kind_->setItemData(old, board.kind());
  } else {
    // Boards in the order of their labels, so that a list of several stays put.
    int at = kFixedKinds;
    while (at < kind_->count() && kind_->itemText(at) < board.label()) ++at;
    // QComboBox keeps its current item (not its index) across the insertion.
    kind_->insertItem(at, board.label(), board.kind());
    kind_->setItemData(at, socket_key(board), kSocketRole);
  }
  const int i = boardIndex(board);
  // Without a serial the board cannot be asked for by name: shown, with why, not chosen.
  if (auto* items = qobject_cast<QStandardItemModel*>(kind_->model())) items->item(i)->setEnabled(!board.serial.isEmpty());
  kind_->setItemData(i, board.serial.isEmpty() ? board.problem : QString(), Qt::ToolTipRole);
  if (!board.serial.isEmpty() && board.kind() == pending_kind_) {
    kind_->setCurrentIndex(i);
    pending_kind_.clear();
  }
}

void DevicePanel::removeBoard(const BoardEntry& board) {
  const int i = boardIndex(board);
  if (i < 0) return;
  const bool was_current = kind_->currentIndex() == i;
  kind_->removeItem(i);
  // The nearest thing to what was chosen: whichever board is attached next.
  if (was_current) kind_->setCurrentIndex(kind_->findData(QStringLiteral("usb")));
}

void DevicePanel::showBoardListUnavailable(const QString& reason) {
  kind_->setToolTip(kind_tooltip() + QLatin1Char('\n') + tr("Attached boards are not listed: %1").arg(reason));
}

void DevicePanel::showStatus(const DeviceStatus& status) {
  name_->setText(QStringLiteral("<b>%1</b> \u2013 %2")
                     .arg(backend_text(status.backend), status.description.toHtmlEscaped()));
  QStringList details;
  details << tr("serial %1").arg(status.serial.isEmpty() ? tr("n/a") : status.serial);
  details << tr("protocol %1").arg(status.protocol_version > 0 ? QString::number(status.protocol_version) : tr("n/a"));
  details_->setText(details.join(QStringLiteral(", ")));
  setToolTip(status.message);
}

void DevicePanel::showState(DeviceState state, const QString& detail) {
  QString text;
  QColor lamp;
  switch (state) {
    case DeviceState::kNone: text = tr("not connected"); lamp = QColor(90, 90, 90); break;
    case DeviceState::kIdle: text = tr("ready"); lamp = QColor(70, 200, 110); break;
    case DeviceState::kPreview: text = tr("streaming"); lamp = QColor(80, 196, 255); break;
    case DeviceState::kMastering: text = tr("mastering"); lamp = QColor(255, 176, 64); break;
    case DeviceState::kLive: text = tr("live (its codec)"); lamp = QColor(255, 90, 200); break;
    case DeviceState::kError: text = tr("error"); lamp = QColor(235, 70, 60); break;
  }
  if (state == DeviceState::kNone) {
    name_->setText(tr("no device"));
    details_->clear();  // a pulled board's serial is no longer what is open
  }
  lamp_->setStyleSheet(lamp_style(lamp));
  const QString shown = state == DeviceState::kPreview || state == DeviceState::kMastering
                            ? QFileInfo(detail).fileName()
                            : detail;
  state_->setText(shown.isEmpty() ? text : text + QStringLiteral(": ") + shown);
  state_->setToolTip(detail);
}

TransportBar::TransportBar(ChainModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  play_ = new QPushButton(tr("\u25b6  Preview"));
  play_->setObjectName("play");
  play_->setToolTip(tr("Stream the input file through the device in real time, looping, for the meters (Space)"));
  play_->setMinimumWidth(110);
  bypass_ = new QPushButton(tr("A/B: processed"));
  bypass_->setObjectName("bypass");
  bypass_->setCheckable(true);
  bypass_->setToolTip(tr("Bypass the chain on the device to compare (B). Not saved, never mastered."));
  bypass_->setMinimumWidth(130);
  live_ = new QPushButton(tr("Live"));
  live_->setObjectName("live");
  live_->setCheckable(true);
  live_->setToolTip(tr("With a board (usb): put it into live mode, its codec in, the chain and its codec out, with "
                       "these settings; changes glide in. Otherwise: run the chain as a JACK client (ports in_L, in_R, "
                       "out_L, out_R) on the device chosen. The file preview is off meanwhile."));
  live_status_ = new QLabel;
  live_status_->setObjectName("liveStatus");
  live_status_->hide();
  layout->addWidget(play_);
  layout->addWidget(bypass_);
  layout->addWidget(live_);
  layout->addWidget(live_status_);
  connect(live_, &QPushButton::clicked, this, [this](bool checked) {
    if (checked) emit liveStartRequested();
    else emit liveStopRequested();
  });
  connect(play_, &QPushButton::clicked, this, [this] {
    if (playing_) emit stopRequested();
    else emit playRequested();
  });
  connect(bypass_, &QPushButton::toggled, model_, &ChainModel::setBypass);
  connect(model_, &ChainModel::changed, this, [this] {
    const bool on = model_->bypass();
    if (bypass_->isChecked() != on) {
      const QSignalBlocker block(bypass_);
      bypass_->setChecked(on);
    }
    bypass_->setText(on ? tr("A/B: BYPASS") : tr("A/B: processed"));
    bypass_->setStyleSheet(on ? QStringLiteral("QPushButton { background: #c8322d; color: white; font-weight: bold; }")
                              : QString());
  });
}

void TransportBar::setPlaying(bool playing) {
  playing_ = playing;
  play_->setText(playing ? tr("\u25a0  Stop") : tr("\u25b6  Preview"));
}

void TransportBar::setMastering(bool mastering) {
  mastering_ = mastering;
  updateEnabled();
}

void TransportBar::setLive(bool running) {
  live_running_ = running;
  {
    const QSignalBlocker block(live_);
    live_->setChecked(running);
  }
  live_->setEnabled(true);
  live_->setText(running ? tr("\u25cf Live") : tr("Live"));
  live_->setStyleSheet(running ? QStringLiteral("QPushButton { background: #2e8b57; color: white; font-weight: bold; }")
                               : QString());
  if (!running) live_status_->hide();
  updateEnabled();
}

void TransportBar::setLiveStarting() {
  live_->setEnabled(false);
  live_->setText(tr("Live\u2026"));
}

void TransportBar::showLiveStatus(const QString& text) {
  live_status_->setText(text);
  live_status_->setVisible(!text.isEmpty());
}

void TransportBar::updateEnabled() {
  play_->setEnabled(!mastering_ && !live_running_);
  play_->setToolTip(live_running_ ? tr("Stop Live to preview a file")
                                  : tr("Stream the input file through the device in real time, looping, for the meters (Space)"));
  live_->setEnabled(!mastering_ || live_running_);
}

}  // namespace lathe::gui
