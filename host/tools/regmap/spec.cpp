// SPDX-License-Identifier: MIT
// Parsing of regmap/lathe.regs and regmap/lathe.protocol (formats in their headers).
#include "spec.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace regmap {

void die(const std::string& where, const std::string& why) {
  std::fprintf(stderr, "gen_regmap: %s: %s\n", where.c_str(), why.c_str());
  std::exit(1);
}

std::string camel(const std::string& snake, const char* prefix) {
  std::string out = prefix;
  bool up = true;
  for (char c : snake) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

std::string hex(int64_t v, int digits) {
  char b[24];
  std::snprintf(b, sizeof b, "%0*llx", digits, static_cast<unsigned long long>(v));
  return b;
}

int RegisterMap::reg_count() const {
  int end = 0;
  for (const Register& r : regs) end = std::max(end, r.addr + r.count);
  return end;
}

int Protocol::info_bytes() const { return info.empty() ? 0 : info.back().offset + info.back().bytes; }

namespace {

// One spec line: the words before " : " and the meaning after it.
struct Line {
  std::string where;
  std::vector<std::string> words;
  std::string meaning;
  std::string rest(std::size_t from) const {  // words[from..] joined again
    std::string s;
    for (std::size_t i = from; i < words.size(); ++i) s += (s.empty() ? "" : " ") + words[i];
    return s;
  }
};

std::vector<Line> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) die(path, "cannot open");
  std::vector<Line> lines;
  std::string text;
  for (int n = 1; std::getline(in, text); ++n) {
    if (text.empty() || text[0] == '#') continue;
    Line line;
    line.where = path + ":" + std::to_string(n);
    const auto colon = text.find(" : ");
    if (colon == std::string::npos) die(line.where, "expected ' : meaning'");
    std::istringstream words(text.substr(0, colon));
    for (std::string s; words >> s;) line.words.push_back(s);
    line.meaning = text.substr(colon + 3);
    if (line.words.empty()) die(line.where, "empty line");
    lines.push_back(line);
  }
  return lines;
}

// Integer expressions over numbers and constants: + - * / ( ) and comparisons (1 or 0).
class Expr {
 public:
  Expr(const std::string& text, const std::map<std::string, int64_t>& names, const std::string& where)
      : s_(text), names_(names), where_(where) {}
  int64_t value() {
    const int64_t v = compare();
    skip();
    if (at_ != s_.size()) fail("unexpected '" + s_.substr(at_) + "'");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& why) { die(where_, why + " in '" + s_ + "'"); }
  void skip() {
    while (at_ < s_.size() && s_[at_] == ' ') ++at_;
  }
  bool take(const std::string& op) {
    skip();
    if (s_.compare(at_, op.size(), op) != 0) return false;
    at_ += op.size();
    return true;
  }
  int64_t compare() {
    const int64_t a = sum();
    if (take("<=")) return a <= sum();
    if (take(">=")) return a >= sum();
    if (take("==")) return a == sum();
    if (take("!=")) return a != sum();
    if (take("<")) return a < sum();
    if (take(">")) return a > sum();
    return a;
  }
  int64_t sum() {
    int64_t v = product();
    for (;;) {
      if (take("+")) v += product();
      else if (take("-")) v -= product();
      else return v;
    }
  }
  int64_t product() {
    int64_t v = atom();
    for (;;) {
      if (take("*")) {
        v *= atom();
      } else if (take("/")) {
        const int64_t d = atom();
        if (d == 0) fail("division by zero");
        v /= d;
      } else {
        return v;
      }
    }
  }
  int64_t atom() {
    skip();
    if (take("(")) {
      const int64_t v = compare();
      if (!take(")")) fail("expected ')'");
      return v;
    }
    const std::size_t start = at_;
    while (at_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[at_])) || s_[at_] == '_')) ++at_;
    const std::string word = s_.substr(start, at_ - start);
    if (word.empty()) fail("expected a number or a constant");
    if (std::isdigit(static_cast<unsigned char>(word[0]))) {
      std::size_t used = 0;
      const int64_t v = std::stoll(word, &used, 0);
      if (used != word.size()) fail("bad number " + word);
      return v;
    }
    const auto it = names_.find(word);
    if (it == names_.end()) fail("unknown constant " + word);
    return it->second;
  }

  std::string s_;
  const std::map<std::string, int64_t>& names_;
  std::string where_;
  std::size_t at_ = 0;
};

int number(const std::string& word, const std::string& where) {
  std::size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(word, &used, 0);
  } catch (...) {
    die(where, "bad number " + word);
  }
  if (used != word.size()) die(where, "bad number " + word);
  return v;
}

// Constants and checks, common to both specs.
class Constants {
 public:
  explicit Constants(std::map<std::string, int64_t> names = {}) : names_(std::move(names)) {}
  // True when the line was a const or a check.
  bool take(const Line& l, std::vector<Const>& out) {
    if (l.words[0] == "check") {
      if (l.words.size() < 2) die(l.where, "expected check VALUE : why");
      if (Expr(l.rest(1), names_, l.where).value() == 0) die(l.where, "check failed: " + l.meaning);
      return true;
    }
    if (l.words[0] != "const") return false;
    static const std::set<std::string> types = {"int", "size", "u8", "u16", "u32"};
    if (l.words.size() < 4 || !types.count(l.words[2])) die(l.where, "expected const NAME int|size|u8|u16|u32 VALUE");
    Const c{l.words[1], l.words[2], l.rest(3), l.meaning, 0};
    c.value = Expr(c.expr, names_, l.where).value();
    if (c.value < 0) die(l.where, "constants are not negative");
    if (!names_.emplace(c.name, c.value).second) die(l.where, "constant " + c.name + " defined twice");
    out.push_back(c);
    return true;
  }
  int64_t eval(const std::string& text, const std::string& where) const { return Expr(text, names_, where).value(); }
  const std::map<std::string, int64_t>& names() const { return names_; }

 private:
  std::map<std::string, int64_t> names_;
};

Field parse_field(const Line& l) {
  Field f{l.words[2], l.meaning, 0, 1};
  const std::string& bits = l.words[3];
  const auto colon = bits.find(':');
  if (colon == std::string::npos) {
    f.lsb = number(bits, l.where);
  } else {
    const int msb = number(bits.substr(0, colon), l.where);
    f.lsb = number(bits.substr(colon + 1), l.where);
    f.width = msb - f.lsb + 1;
  }
  if (f.lsb < 0 || f.width < 1 || f.lsb + f.width > 32) die(l.where, "bits outside the 32-bit word");
  return f;
}

}  // namespace

RegisterMap parse_registers(const std::string& path) {
  RegisterMap map;
  Constants constants;
  std::map<std::string, std::size_t> by_name;
  std::vector<bool> used(256, false);
  for (const Line& l : read_lines(path)) {
    const auto& w = l.words;
    if (constants.take(l, map.consts)) continue;
    if (w[0] == "field") {
      if (w.size() != 4 || !by_name.count(w[1])) die(l.where, "expected field REG NAME BIT|MSB:LSB of a known register");
      Register& r = map.regs[by_name[w[1]]];
      const Field f = parse_field(l);
      for (const Field& g : r.fields)
        if (f.lsb < g.lsb + g.width && g.lsb < f.lsb + f.width) die(l.where, "field overlaps " + g.name);
      r.fields.push_back(f);
      continue;
    }
    Register r;
    r.kind = w[0];
    r.meaning = l.meaning;
    if (r.kind == "reg" && w.size() >= 6) {
      r.name = w[1];
      r.addr = number(w[2], l.where);
      r.access = w[3];
      r.format = w[4];
      r.reset = w[5];
      for (std::size_t i = 6; i < w.size(); ++i) {
        if (w[i].rfind("fields=", 0) == 0) r.prefix = w[i].substr(7);
        else if (w[i].rfind("enum=", 0) == 0) r.enum_name = w[i].substr(5);
        else if (w[i].rfind("group=", 0) == 0) r.group = w[i].substr(6);
        else die(l.where, "unknown option " + w[i]);
      }
    } else if (r.kind == "array" && w.size() == 6) {
      r.name = w[1];
      r.addr = number(w[2], l.where);
      r.count_expr = w[3];
      r.count = static_cast<int>(constants.eval(w[3], l.where));
      r.access = w[4];
      r.format = w[5];
      r.reset = "-";
    } else {
      die(l.where, "expected const, check, reg NAME ADDR ACCESS FORMAT RESET, or array NAME ADDR COUNT ACCESS FORMAT");
    }
    if (r.access != "rw" && r.access != "ro" && r.access != "wo" && r.access != "ctl")
      die(l.where, "access must be rw, ro, wo or ctl");
    if (r.prefix.empty()) r.prefix = r.name;
    for (int a = r.addr; a < r.addr + r.count; ++a) {
      if (a < 0 || a > 255 || used[a]) die(l.where, "address 0x" + hex(a, 2) + " out of range or used twice");
      used[a] = true;
    }
    if (constants.names().count(r.name) || by_name.count(r.name)) die(l.where, "name " + r.name + " used twice");
    if (!r.group.empty()) {
      if (!map.groups.empty() && map.groups.back().name == r.group &&
          map.groups.back().first + map.groups.back().count == r.addr) {
        ++map.groups.back().count;
      } else {
        for (const Group& g : map.groups)
          if (g.name == r.group) die(l.where, "group " + r.group + " is not contiguous");
        map.groups.push_back({r.group, r.addr, 1});
      }
    }
    by_name[r.name] = map.regs.size();
    map.regs.push_back(r);
  }
  return map;
}

Protocol parse_protocol(const std::string& path, const RegisterMap& map) {
  Protocol p;
  std::map<std::string, int64_t> names;
  for (const Const& c : map.consts) names[c.name] = c.value;
  Constants constants(names);
  std::set<int> type_codes, error_codes;
  std::set<std::string> type_names;
  for (const Line& l : read_lines(path)) {
    const auto& w = l.words;
    if (constants.take(l, p.consts)) continue;
    if (w[0] == "type") {
      if (w.size() < 4 || w.size() > 5 || (w[3] != "host" && w[3] != "board"))
        die(l.where, "expected type NAME CODE host|board [reply=NAME]");
      PacketType t{w[1], w[3], "", l.meaning, number(w[2], l.where)};
      if (w.size() == 5) {
        if (w[4].rfind("reply=", 0) != 0) die(l.where, "unknown option " + w[4]);
        t.reply = w[4].substr(6);
      }
      if (t.code < 0 || t.code > 255 || !type_codes.insert(t.code).second) die(l.where, "type code out of range or used twice");
      if (!type_names.insert(t.name).second) die(l.where, "type " + t.name + " defined twice");
      p.types.push_back(t);
    } else if (w[0] == "error") {
      if (w.size() != 3) die(l.where, "expected error NAME CODE");
      const auto semicolon = l.meaning.find("; ");
      ErrorCode e{w[1], l.meaning.substr(0, semicolon),
                  semicolon == std::string::npos ? "" : l.meaning.substr(semicolon + 2), number(w[2], l.where)};
      if (e.code < 1 || e.code > 255 || !error_codes.insert(e.code).second) die(l.where, "error code out of range or used twice");
      p.errors.push_back(e);
    } else if (w[0] == "info") {
      if (w.size() < 4) die(l.where, "expected info NAME BYTES VALUE|board");
      InfoField f{w[1], l.rest(3), l.meaning, p.info_bytes(), number(w[2], l.where), 0};
      if (f.bytes < 1 || f.bytes > 4) die(l.where, "an info field has 1 to 4 bytes");
      if (!f.board()) {
        f.value = constants.eval(f.expr, l.where);
        if (f.value >= (int64_t{1} << (8 * f.bytes))) die(l.where, "value does not fit " + std::to_string(f.bytes) + " bytes");
      }
      p.info.push_back(f);
    } else {
      die(l.where, "expected const, check, type, error or info");
    }
  }
  for (const PacketType& t : p.types)
    if (!t.reply.empty() && !type_names.count(t.reply)) die(path, "reply type " + t.reply + " of " + t.name + " is not defined");
  return p;
}

}  // namespace regmap
