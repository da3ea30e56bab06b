// SPDX-License-Identifier: MIT
// Generates, from regmap/lathe.regs and regmap/lathe.protocol (the one source of every
// constant the host, the RTL and the docs share), the C++ headers, the RTL packages and
// the docs tables. Usage: gen_regmap REGS PROTOCOL OUTDIR (headers go to OUTDIR/lathe/,
// which must exist)
#include <cstdio>
#include <fstream>

#include "emit.hpp"
#include "spec.hpp"

namespace {

void write(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!(out << text)) regmap::die(path, "cannot write");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: gen_regmap REGS PROTOCOL OUTDIR\n");
    return 2;
  }
  const auto map = regmap::parse_registers(argv[1]);
  const auto protocol = regmap::parse_protocol(argv[2], map);
  const std::string dir = argv[3];
  write(dir + "/lathe/registers_map.hpp", regmap::registers_hpp(map));
  write(dir + "/lathe_regs_pkg.sv", regmap::registers_sv(map));
  write(dir + "/registers.md", regmap::registers_md(map));
  write(dir + "/lathe/protocol_map.hpp", regmap::protocol_hpp(protocol));
  write(dir + "/lathe_proto_pkg.sv", regmap::protocol_sv(protocol));
  write(dir + "/protocol-map.md", regmap::protocol_md(protocol));
  return 0;
}
