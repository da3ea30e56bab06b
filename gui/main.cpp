// SPDX-License-Identifier: MIT
// lathe-gui: the Qt6 control application. --screenshot FILE.png shows the window, lets
// it lay out (and meter, with --play), saves what it draws and exits.
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>
#include <cstdio>

#include "main_window.hpp"
#include "theme.hpp"
#if LATHE_HAVE_SIM_BOARD
#include "lathe/sim/sim_backend.hpp"
#endif
#include "lathe/usb/usb_backend.hpp"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("lathe-gui"));
  QApplication::setApplicationVersion(QStringLiteral(LATHE_VERSION));
  lathe::gui::apply_theme(app);
#if LATHE_HAVE_SIM_BOARD
  lathe::sim::register_sim_backend();
#endif
  lathe::usb::register_usb_backend();

  QCommandLineParser cli;
  cli.setApplicationDescription(QStringLiteral("Lathe mastering co-processor: control application"));
  cli.addHelpOption();
  cli.addVersionOption();
  const QCommandLineOption device({"d", "device"}, "Back end: auto, model, sim, usb or usb:SERIAL.", "kind", "auto");
  const QCommandLineOption preset({"p", "preset"}, "A built-in preset or a preset file.", "name|file.json");
  const QCommandLineOption input({"i", "input"}, "Input audio file.", "file");
  const QCommandLineOption output({"o", "output"}, "Output audio file.", "file");
  const QCommandLineOption master("master", "Master the input into the output at once.");
  const QCommandLineOption play("play", "Start the preview of the input file at once (after --master).");
  const QCommandLineOption screenshot("screenshot", "Save a picture of the window and exit.", "file.png");
  const QCommandLineOption delay("screenshot-delay", "Milliseconds before the picture (default 500, 3000 with --play).", "ms");
  const QCommandLineOption size("size", "Window size, WxH.", "WxH", "1600x1040");
  cli.addOptions({device, preset, input, output, master, play, screenshot, delay, size});
  cli.process(app);

  lathe::gui::WindowOptions options;
  options.device = cli.value(device);
  options.preset = cli.value(preset);
  options.input = cli.value(input);
  options.output = cli.value(output);
  options.master = cli.isSet(master);
  options.play = cli.isSet(play);
  lathe::gui::MainWindow window(options);
  const QStringList wh = cli.value(size).split('x');
  if (wh.size() == 2) window.resize(wh[0].toInt(), wh[1].toInt());
  window.show();

  if (cli.isSet(screenshot)) {
    const QString path = cli.value(screenshot);
    const int ms = cli.isSet(delay) ? cli.value(delay).toInt() : (options.play ? 3000 : 500);
    QTimer::singleShot(ms, &window, [&window, path] {
      const bool ok = window.grab().save(path);
      if (!ok) std::fprintf(stderr, "lathe-gui: cannot write %s\n", qPrintable(path));
      QApplication::exit(ok ? 0 : 1);
    });
  }
  return QApplication::exec();
}
