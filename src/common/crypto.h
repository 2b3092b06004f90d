// Thin wrappers over libsodium (Argon2id password hashes, randomness, encodings) and OpenSSL's
// libcrypto (SHA-256, hardware-accelerated).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace motcua {

// Initialises libsodium; call once before any other function here. Returns false on failure.
bool InitCrypto();

// SHA-256 of `data`, as 64 lower-case hex digits.
std::string Sha256Hex(std::string_view data);
// True iff `s` is 64 lower-case hex digits (a SHA-256 as files are named by).
bool IsSha256Hex(std::string_view s);
// SHA-256 computed over data that arrives in pieces (uploads). Not thread-safe.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  // Adds the next piece.
  void Update(std::string_view data);
  // The digest of everything added, as 64 lower-case hex digits. Call once.
  std::string FinishHex();

 private:
  void* ctx_;  // EVP_MD_CTX
};

// Base64url without padding.
std::string Base64Url(const uint8_t* data, size_t n);
// Lower-case hex.
std::string Hex(const uint8_t* data, size_t n);

// Cost of an Argon2id hash: iterations and memory in bytes.
struct PasswordCost {
  unsigned long long ops = 2;
  size_t mem_bytes = 19u << 20;  // OWASP: Argon2id m=19 MiB, t=2, p=1
};
// Hashes a password with Argon2id into libsodium's self-describing string format. Returns an
// empty string only if memory for the hash cannot be had. CPU-heavy: call off the event loop.
std::string HashPassword(std::string_view password, PasswordCost cost);
// True iff `password` matches the Argon2id `hash`. CPU-heavy, like HashPassword.
bool VerifyPassword(std::string_view hash, std::string_view password);
// Constant-time comparison of two equal-purpose strings.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace motcua
