// Word and character tokenizers.
#include "nabla/data/tokenizer.h"

#include <cstdint>

namespace nabla::data {

namespace {

// ASCII whitespace as Python's str.split sees it (\t..\r, \x1c..\x1f, space).
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f'); }

// Whether text[i..] starts with "<br />", comparing case-insensitively when `lower`.
bool at_br(const std::string& text, size_t i, bool lower) {
  static const std::string br = "<br />";
  if (i + br.size() > text.size()) return false;
  for (size_t k = 0; k < br.size(); ++k) {
    char c = text[i + k];
    if (lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != br[k]) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> word_tokenize(const std::string& text, bool lower) {
  // torchtext applies its patterns in order: "'" -> " '  ", '"' -> "", "." -> " . ", "<br />" -> " ",
  // "," -> " , ", "(" / ")" / "!" / "?" -> spaced, ";" / ":" -> " ", then splits on whitespace.
  std::vector<std::string> tokens;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) tokens.push_back(std::move(word));
    word.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '"') continue;
    if (at_br(text, i, lower)) {
      flush();
      i += 5;
    } else if (is_space(c) || c == ';' || c == ':') {
      flush();
    } else if (c == '\'' || c == '.' || c == ',' || c == '(' || c == ')' || c == '!' || c == '?') {
      flush();
      tokens.emplace_back(1, c);
    } else {
      word.push_back(c);
    }
  }
  flush();
  return tokens;
}

std::vector<std::string> char_tokenize(const std::string& text) {
  std::vector<std::string> tokens;
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    const auto b = static_cast<unsigned char>(text[i]);
    size_t len = 1;
    uint32_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte (excludes overlongs, surrogates)
    if (b >= 0xC2 && b <= 0xDF) len = 2;
    else if (b >= 0xE0 && b <= 0xEF) len = 3, lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
    else if (b >= 0xF0 && b <= 0xF4) len = 4, lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
    bool ok = i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      ok = k == 1 ? (c >= lo && c <= hi) : (c >= 0x80 && c <= 0xBF);
    }
    if (!ok) len = 1;
    tokens.push_back(text.substr(i, len));
    i += len;
  }
  return tokens;
}

}  // namespace nabla::data
