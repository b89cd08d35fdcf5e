// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of Kafka record batches v2.
// Paths, chosen once, at first use, from the CPU's feature bits:
//  - x86-64 with AVX2 + VPCLMULQDQ: carry-less multiplication folding 128 bytes a round (from 128 bytes), run
//    alongside three crc32 instruction streams (from 1 KiB); shorter inputs take the SSE4.2 path;
//  - x86-64 with SSE4.2: crc32 instruction over three interleaved streams, recombined with a GF(2) shift;
//  - otherwise: portable slicing-by-8 tables.
#pragma once
#include <cstddef>
#include <cstdint>

namespace strata {

// Continues `crc` (0 for a fresh checksum) over `len` bytes, like zlib's crc32(): finished value in and out.
uint32_t Crc32c(uint32_t crc, const uint8_t* data, size_t len);
// The fallback paths, exposed so tests can check that every path agrees and benchmarks can compare them: the
// portable one, and the SSE4.2 crc32-only one (portable where SSE4.2 is missing).
uint32_t Crc32cPortable(uint32_t crc, const uint8_t* data, size_t len);
uint32_t Crc32cHardware(uint32_t crc, const uint8_t* data, size_t len);
bool Crc32cHardwareAvailable();

}  // namespace strata
