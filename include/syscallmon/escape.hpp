#pragma once
// Escaping of untrusted names (process images) for every output format.

#include <string>
#include <string_view>

namespace syscallmon {

// Printable ASCII other than backslash stays; a backslash becomes "\\";
// control bytes, DEL and bytes >= 0x80 become "\xNN". The result is
// printable ASCII, so one entry is always one line in every format.
std::string escape_image(std::string_view raw);

// Control bytes, DEL, bytes that are not valid UTF-8 and UTF-8 C1 controls
// become "\xNN"; everything else stays. For error messages that quote user
// input (option values, command names): one line, no terminal escapes, and
// UTF-8 names stay readable.
std::string escape_controls(std::string_view raw);

} // namespace syscallmon
