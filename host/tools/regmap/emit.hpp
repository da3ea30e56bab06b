// SPDX-License-Identifier: MIT
// The generated files: a C++ header, an RTL package and a docs page per spec.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "spec.hpp"

namespace regmap {

// Every identifier a generated file declares, so that two spec names that spell the same
// identifier stop the generator instead of the compiler.
class Names {
 public:
  explicit Names(std::string file) : file_(std::move(file)) {}
  std::string operator()(const std::string& name) {
    if (!seen_.insert(name).second) die(file_, "two spec entries generate " + name);
    return name;
  }

 private:
  std::string file_;
  std::set<std::string> seen_;
};

// A generated C++ header's first lines, up to the opening of `ns`.
std::string cpp_prologue(const std::string& spec, const std::string& ns);
// A constant's declaration line: C++ ("constexpr int kEqBands = 8;  // meaning") and
// SystemVerilog ("  localparam int unsigned EqBands = 8;").
std::string cpp_constant(const Const& c, Names& id);
std::string sv_constant(const Const& c, Names& id);
// A docs table of constants: name, value (and how it is derived), meaning.
std::string md_constants(const std::vector<Const>& consts);

std::string registers_hpp(const RegisterMap& map);
std::string registers_sv(const RegisterMap& map);
std::string registers_md(const RegisterMap& map);

std::string protocol_hpp(const Protocol& p);
std::string protocol_sv(const Protocol& p);
std::string protocol_md(const Protocol& p);

}  // namespace regmap
