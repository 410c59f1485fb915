#include "syscallmon/escape.hpp"

namespace syscallmon {

namespace {

void append_hex(std::string &out, unsigned char byte) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[byte >> 4];
  out += kHex[byte & 0xf];
}

// Code points a terminal obeys rather than shows: C1 controls
// (U+0080-U+009F, which some terminals act on) and the bidi embeddings,
// overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder
// the rest of the line so that what is shown is not what was logged
// (CVE-2021-42574, "Trojan Source").
bool is_control_code_point(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// The length of the valid UTF-8 sequence at raw[i] that is not a control
// (is_control_code_point), or 0.
std::size_t printable_utf8_length(std::string_view raw, std::size_t i) {
  const auto byte = [&](std::size_t k) {
    return static_cast<unsigned char>(raw[k]);
  };
  const unsigned char lead = byte(i);
  std::size_t len = 0;
  char32_t cp = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    len = 2;
    cp = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    len = 3;
    cp = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    len = 4;
    cp = lead & 0x07;
  } else {
    return 0;
  }
  if (i + len > raw.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  const bool bad = overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff);
  return bad || is_control_code_point(cp) ? 0 : len;
}

} // namespace

std::string escape_image(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (const char c : raw) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == '\\') {
      out += "\\\\";
    } else if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      append_hex(out, byte);
    }
  }
  return out;
}

std::string text_image(std::string_view raw) {
  std::string escaped = escape_image(raw);
  if (!escaped.empty() && escaped.front() != ' ' && escaped.back() != ' ' &&
      escaped.front() != '"') {
    return escaped;
  }
  std::string out = "\"";
  for (const char c : escaped) {
    if (c == '"') {
      out += '\\';
    }
    out += c;
  }
  return out + '"';
}

std::string escape_controls(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    const auto byte = static_cast<unsigned char>(raw[i]);
    if (byte >= 0x20 && byte < 0x7f) {
      out += raw[i++];
    } else if (const std::size_t len =
                   byte >= 0x80 ? printable_utf8_length(raw, i) : 0) {
      out.append(raw.substr(i, len));
      i += len;
    } else {
      append_hex(out, byte);
      ++i;
    }
  }
  return out;
}

} // namespace syscallmon
