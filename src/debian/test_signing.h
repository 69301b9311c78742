// Test-only helper: an OpenPGP signing key generated in memory with librnp,
// so signature and repository tests sign their fixtures at test time
// instead of committing keys. Header-only, included only by *_test.cc.
#pragma once

#include <gtest/gtest.h>
#include <rnp/rnp.h>
#include <rnp/rnp_err.h>

#include <string>
#include <string_view>

namespace debian {

class TestSigner {
 public:
  // Generates an unprotected EdDSA (Ed25519) signing key for `userid`.
  explicit TestSigner(const std::string& userid) {
    rnp_ffi_create(&ffi_, RNP_KEYSTORE_GPG, RNP_KEYSTORE_GPG);
    std::string json =
        R"({"primary": {"type": "EDDSA", "userid": ")" + userid + R"(", "usage": ["sign"]}})";
    char* results = nullptr;
    EXPECT_EQ(rnp_generate_key_json(ffi_, json.c_str(), &results), RNP_SUCCESS);
    rnp_buffer_destroy(results);
    EXPECT_EQ(rnp_locate_key(ffi_, "userid", userid.c_str(), &key_), RNP_SUCCESS);
  }
  ~TestSigner() {
    rnp_key_handle_destroy(key_);
    rnp_ffi_destroy(ffi_);
  }
  TestSigner(const TestSigner&) = delete;
  TestSigner& operator=(const TestSigner&) = delete;

  // The public key, ASCII-armored (what a .asc keyring file holds).
  std::string PublicKeyArmored() const {
    return WithOutput([&](rnp_output_t out) {
      return rnp_key_export(key_, out, RNP_KEY_EXPORT_ARMORED | RNP_KEY_EXPORT_PUBLIC);
    });
  }
  // The public key as a binary keyring (what a .gpg keyring file holds).
  std::string PublicKeyBinary() const {
    return WithOutput([&](rnp_output_t out) {
      return rnp_save_keys(ffi_, RNP_KEYSTORE_GPG, out, RNP_LOAD_SAVE_PUBLIC_KEYS);
    });
  }
  // `text` as a clearsigned message (an InRelease file).
  std::string Clearsign(std::string_view text) const { return Sign(text, false); }
  // An armored detached signature of `data` (a Release.gpg file).
  std::string DetachSign(std::string_view data) const { return Sign(data, true); }

 private:
  template <typename F>
  static std::string WithOutput(F f) {
    rnp_output_t out = nullptr;
    rnp_output_to_memory(&out, 0);
    EXPECT_EQ(f(out), RNP_SUCCESS);
    uint8_t* buf = nullptr;
    size_t len = 0;
    rnp_output_memory_get_buf(out, &buf, &len, false);
    std::string s(reinterpret_cast<char*>(buf), len);
    rnp_output_destroy(out);
    return s;
  }

  std::string Sign(std::string_view data, bool detached) const {
    rnp_input_t in = nullptr;
    rnp_input_from_memory(&in, reinterpret_cast<const uint8_t*>(data.data()), data.size(), false);
    std::string s = WithOutput([&](rnp_output_t out) {
      rnp_op_sign_t op = nullptr;
      if (detached) {
        rnp_op_sign_detached_create(&op, ffi_, in, out);
        rnp_op_sign_set_armor(op, true);
      } else {
        rnp_op_sign_cleartext_create(&op, ffi_, in, out);
      }
      rnp_op_sign_set_hash(op, RNP_ALGNAME_SHA256);
      rnp_op_sign_add_signature(op, key_, nullptr);
      rnp_result_t r = rnp_op_sign_execute(op);
      rnp_op_sign_destroy(op);
      return r;
    });
    rnp_input_destroy(in);
    return s;
  }

  rnp_ffi_t ffi_ = nullptr;
  rnp_key_handle_t key_ = nullptr;
};

}  // namespace debian
