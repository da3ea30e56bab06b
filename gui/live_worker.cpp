// SPDX-License-Identifier: MIT
#include "live_worker.hpp"

#include <QTimer>
#include <algorithm>
#include <cmath>

#ifdef LATHE_HAVE_JACK
#include "jack_session.hpp"
#else
namespace lathe::live {
class JackSession {};
}  // namespace lathe::live
#endif

namespace lathe::gui {

#ifdef LATHE_HAVE_JACK

LiveWorker::LiveWorker(QObject* parent) : QObject(parent) {}
LiveWorker::~LiveWorker() = default;
bool LiveWorker::available() { return true; }

void LiveWorker::start(const QString& device, const ChainParams& params, const QString& client_name) {
  if (session_) {
    emit started(currentStatus());
    return;
  }
  if (device.startsWith(QStringLiteral("usb"))) {
    // The device thread of the window holds the board; two handles on one board are not
    // made (docs/gui.md).
    emit errorOccurred(tr("Live on a USB board is not available from the window yet: run `lathe live --jack --device usb`"));
    emit stopped();
    return;
  }
  live::JackOptions o;
  o.client_name = client_name.toStdString();
  o.device = device.toStdString();
  o.params = params;
  o.tap_audio = true;
  auto opened = live::JackSession::open(o);
  if (!opened) {
    emit errorOccurred(tr("Live (JACK): %1").arg(QString::fromStdString(opened.error().message())));
    emit stopped();
    return;
  }
  session_ = std::move(*opened);
  const int rate = session_->status().rate;
  auto in = LoudnessMeter::create(rate, 2, LoudnessMeter::Measures::kLive);
  auto out = LoudnessMeter::create(rate, 2, LoudnessMeter::Measures::kLive);
  if (in && out) in_meter_.emplace(std::move(*in)), out_meter_.emplace(std::move(*out));
  in_tap_.assign(2 * 4096, 0);
  out_tap_.assign(2 * 4096, 0);
  position_s_ = 0.0;
  last_applied_ = ~quint64{0};
  last_latency_ = -1;
  if (!timer_) {
    timer_ = new QTimer(this);
    connect(timer_, &QTimer::timeout, this, &LiveWorker::poll);
  }
  timer_->start(kPollMs);
  emit started(currentStatus());
}

void LiveWorker::stop() {
  if (timer_) timer_->stop();
  if (session_) {
    session_->close();  // the ports go with the client
    session_.reset();
  }
  in_meter_.reset();
  out_meter_.reset();
  emit stopped();
}

void LiveWorker::end(const QString& error) {
  emit errorOccurred(error);
  stop();
}

void LiveWorker::applyRegisters(const reg::RegisterImage& regs, int sample_rate) {
  if (!session_ || sample_rate != session_->status().rate) return;
  if (auto e = session_->configure(regs)) emit errorOccurred(tr("Live (JACK): %1").arg(QString::fromStdString(e.message())));
}

void LiveWorker::resetMeters() {
  if (!session_ || !out_meter_) return;
  auto meter = LoudnessMeter::create(out_meter_->sample_rate(), 2, LoudnessMeter::Measures::kLive);
  if (meter) out_meter_.emplace(std::move(*meter));
}

LiveStatus LiveWorker::currentStatus() const {
  LiveStatus s;
  if (!session_) return s;
  const live::SessionStatus st = session_->status();
  s.running = true;
  s.client = QString::fromStdString(session_->client_name());
  s.server = QString::fromStdString(session_->server_name());
  s.device = QString::fromStdString(session_->device_message());
  s.rate = st.rate;
  s.period = st.period;
  s.latency = st.latency;
  s.chain_latency = st.chain_latency;
  s.priming = st.priming;
  s.xruns = st.xruns;
  s.dropouts = st.dropouts;
  s.configs_posted = st.configs_posted;
  s.configs_applied = st.configs_applied;
  s.device_failed = st.device_failed;
  return s;
}

void LiveWorker::poll() {
  if (!session_) return;
  const live::SessionStatus st = session_->status();
  if (st.server_gone) return end(tr("Live (JACK): the JACK server shut down; Live stopped"));
  if (st.device_failed)
    return end(tr("Live (JACK): the device failed: %1; Live stopped").arg(QString::fromStdString(session_->failure())));
  for (live::AppliedConfig a; session_->poll_applied(a);) {
  }
  // Everything since the last poll in one reading: maxima of the snapshots.
  model::Meters m{};
  bool any = false;
  for (live::MeterSnapshot snap; session_->poll_meters(snap);) {
    any = true;
    for (int ch = 0; ch < 2; ++ch) {
      m.in_peak[ch] = std::max(m.in_peak[ch], snap.meters.in_peak[ch]);
      m.out_peak[ch] = std::max(m.out_peak[ch], snap.meters.out_peak[ch]);
    }
    m.comp_gr_max = std::max(m.comp_gr_max, snap.meters.comp_gr_max);
    m.lim_gr_max = std::max(m.lim_gr_max, snap.meters.lim_gr_max);
  }
  double in_tp = 0.0, out_tp = 0.0;
  for (std::size_t n; (n = session_->read_taps(in_tap_.data(), out_tap_.data(), in_tap_.size() / 2)) > 0;) {
    if (in_meter_ && !in_meter_->add({in_tap_.data(), 2 * n}, 24)) in_tp = std::max(in_tp, in_meter_->last_true_peak());
    if (out_meter_ && !out_meter_->add({out_tap_.data(), 2 * n}, 24)) out_tp = std::max(out_tp, out_meter_->last_true_peak());
    position_s_ += static_cast<double>(n) / st.rate;
  }
  if (st.configs_applied != last_applied_ || st.latency != last_latency_) {
    last_applied_ = st.configs_applied;
    last_latency_ = st.latency;
    emit statusChanged(currentStatus());
  }
  if (!any) return;
  MeterReading r = meter_reading(m, in_tp, out_tp);
  if (out_meter_) {
    r.momentary_lufs = out_meter_->momentary_lufs();
    r.shortterm_lufs = out_meter_->shortterm_lufs();
    r.integrated_lufs = out_meter_->integrated_lufs();
  }
  r.position_s = position_s_;
  emit metersUpdated(r);
}

#else  // no JACK

LiveWorker::LiveWorker(QObject* parent) : QObject(parent) {}
LiveWorker::~LiveWorker() = default;
bool LiveWorker::available() { return false; }
void LiveWorker::start(const QString&, const ChainParams&, const QString&) {
  emit errorOccurred(tr("Live (JACK): this lathe-gui was built without JACK (libjack-jackd2-dev)"));
  emit stopped();
}
void LiveWorker::stop() { emit stopped(); }
void LiveWorker::applyRegisters(const reg::RegisterImage&, int) {}
void LiveWorker::resetMeters() {}
void LiveWorker::poll() {}
LiveStatus LiveWorker::currentStatus() const { return {}; }
void LiveWorker::end(const QString&) {}

#endif

}  // namespace lathe::gui
