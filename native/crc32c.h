// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of Kafka record batches v2.
// Hardware path: SSE4.2 crc32 instruction over three interleaved streams, recombined with a GF(2) shift;
// portable path: slicing-by-8 tables. The choice is made once, at first use, from the CPU's feature bits.
#pragma once
#include <cstddef>
#include <cstdint>

namespace strata {

// Continues `crc` (0 for a fresh checksum) over `len` bytes, like zlib's crc32(): finished value in and out.
uint32_t Crc32c(uint32_t crc, const uint8_t* data, size_t len);
// The two implementations, exposed so tests can check that they agree.
uint32_t Crc32cPortable(uint32_t crc, const uint8_t* data, size_t len);
uint32_t Crc32cHardware(uint32_t crc, const uint8_t* data, size_t len);
bool Crc32cHardwareAvailable();

}  // namespace strata
