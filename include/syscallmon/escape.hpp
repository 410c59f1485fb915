#pragma once
// Escaping of untrusted names (process images) for every output format.

#include <string>
#include <string_view>

namespace syscallmon {

// Printable ASCII other than backslash stays; a backslash becomes "\\";
// control bytes, DEL and bytes >= 0x80 become "\xNN". The result is
// printable ASCII, so one entry is always one line in every format.
std::string escape_image(std::string_view raw);

// An image as the text report shows it (a live view must use it too):
// escape_image, then quoted ("...", with a quote inside as \") when it is
// empty, starts or ends with a space, or starts with a quote. Text pads
// names with spaces, so " sh" and "sh" would otherwise look the same.
std::string text_image(std::string_view raw);

// Control bytes, DEL, bytes that are not valid UTF-8, and the UTF-8 of C1
// controls and bidi overrides (U+202A-U+202E, U+2066-U+2069) become
// "\xNN"; everything else stays. For error messages that quote user input
// (option values, command names): one line, no terminal escapes, no
// reordering of the line, and UTF-8 names stay readable.
std::string escape_controls(std::string_view raw);

} // namespace syscallmon
