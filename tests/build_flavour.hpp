// SPDX-License-Identifier: MIT
// What kind of build the tests run in. Under ASan and UBSan (scripts/test_sanitizers.sh)
// code runs 5-10x slower; the sanitizers look for bad memory and undefined behaviour,
// which depend on the code paths a test takes, not on how many rates or seconds of audio
// it repeats them on. Long DSP sweeps take a shorter tour there; build/ runs them whole.
#pragma once

namespace lathe::test {

#ifdef LATHE_SANITIZED
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

}  // namespace lathe::test
