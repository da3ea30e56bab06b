// SPDX-License-Identifier: MIT
// The two specs of regmap/ as data: the register map with the core's structure constants
// (lathe.regs) and the byte protocol's numbers (lathe.protocol). Parsing checks what the
// generated files rely on (unique addresses and names, contiguous groups, the checks).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace regmap {

[[noreturn]] void die(const std::string& where, const std::string& why);

// snake_case -> CamelCase after `prefix`, the spelling of every generated identifier.
std::string camel(const std::string& snake, const char* prefix = "");
std::string hex(int64_t v, int digits);

struct Const {
  std::string name, type, expr, meaning;  // type: int, size, u8, u16, u32
  int64_t value = 0;
};

struct Field {
  std::string name, meaning;
  int lsb = 0, width = 1;
};

struct Register {
  std::string kind, name, access, format, reset, meaning, prefix, enum_name, group;
  int addr = 0, count = 1;
  std::string count_expr;  // as written, for the docs
  std::vector<Field> fields;
};

// Consecutive registers with the same group=, read as one block.
struct Group {
  std::string name;
  int first = 0, count = 0;
};

struct RegisterMap {
  std::vector<Const> consts;
  std::vector<Register> regs;
  std::vector<Group> groups;
  int reg_count() const;  // one past the highest address
};

struct PacketType {
  std::string name, from, reply, payload;
  int code = 0;
};

struct ErrorCode {
  std::string name, words, more;  // words: error_code_name(); more: the docs' explanation
  int code = 0;
};

struct InfoField {
  std::string name, expr, meaning;  // expr "board": the board's own value
  int offset = 0, bytes = 0;
  int64_t value = 0;
  bool board() const { return expr == "board"; }
};

struct Protocol {
  std::vector<Const> consts;
  std::vector<PacketType> types;
  std::vector<ErrorCode> errors;
  std::vector<InfoField> info;
  int info_bytes() const;
};

RegisterMap parse_registers(const std::string& path);
// The protocol may use the register map's constants.
Protocol parse_protocol(const std::string& path, const RegisterMap& map);

}  // namespace regmap
