#pragma once
// Simple text tokenizers: words (torchtext's basic_english rules) and characters.
#include <string>
#include <vector>

namespace nabla::data {

/// Splits `text` into words with torchtext's "basic_english" rules: optional ASCII lower-casing;
/// '.', ',', '(', ')', '!', '?' and '\'' become tokens of their own; '"', ';', ':' and "<br />"
/// are dropped; the rest is split on whitespace. Non-ASCII bytes are kept as they are.
std::vector<std::string> word_tokenize(const std::string& text, bool lower = true);

/// One token per UTF-8 character of `text`; a byte that does not start a valid UTF-8 sequence is
/// a token of its own, so concatenating the tokens always gives back `text`.
std::vector<std::string> char_tokenize(const std::string& text);

}  // namespace nabla::data
