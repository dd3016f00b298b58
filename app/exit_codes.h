#pragma once

// The exit codes of feedbridge, from BSD sysexits(3), so scripts and service managers can tell a
// usage mistake from bad input, a missing file or a bad configuration.

namespace feedbridge::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;        // EX_USAGE: unknown command or flag, missing argument.
inline constexpr int kExitDataError = 65;    // EX_DATAERR: the input is not what was expected.
inline constexpr int kExitNoInput = 66;      // EX_NOINPUT: an input file is missing or unreadable.
inline constexpr int kExitUnavailable = 69;  // EX_UNAVAILABLE: a dependency stayed unreachable.
inline constexpr int kExitSoftware = 70;     // EX_SOFTWARE: an internal error (a bug).
inline constexpr int kExitIoError = 74;      // EX_IOERR: writing the output failed.
inline constexpr int kExitConfig = 78;       // EX_CONFIG: the configuration is invalid.

}  // namespace feedbridge::app
