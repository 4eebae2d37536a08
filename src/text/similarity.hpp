// Text similarity for Chinese and English opinions (issue 9, docs/TEXT.md): normalisation, character
// n-gram shingles, exact Jaccard, MinHash signatures and LSH banding. Used by the service for possible
// duplicates and hot issues, and by the evaluation tool (bench/text_eval.cpp).
// Pure functions and immutable objects: thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rectify::text {

// The code points of `utf8` after normalisation: full-width ASCII forms (U+FF01..U+FF5E) become ASCII
// and the ideographic space U+3000 a space (the width folding of Unicode NFKC, UAX #15, for the
// characters Chinese input methods produce); ASCII letters are lower-cased; whitespace, ASCII
// punctuation, general punctuation (U+2000..U+206F), CJK symbols and punctuation (U+3000..U+303F),
// the remaining full-width punctuation and the masks of the data clean-up ("[电话号码]", "[身份证号]",
// "[邮箱]") are dropped. Letters, digits and CJK ideographs stay, in order. Invalid UTF-8 bytes are
// skipped (callers validate input before it is stored).
std::u32string Normalize(std::string_view utf8);

// The set of hashed character k-grams (k code points, k >= 1) of Normalize(utf8), sorted and without
// repeats. A normalised text shorter than k gives one shingle of the whole text (none when empty).
// Each hash is FNV-1a 64 of the k code points (as 32-bit values) mixed by SplitMix64.
std::vector<std::uint64_t> Shingles(std::string_view utf8, int k);

// |a ∩ b| / |a ∪ b| of two sorted sets without repeats (as Shingles gives); 0 when both are empty.
double Jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b);

// |a ∩ b| / min(|a|, |b|) (the overlap coefficient), for a short text contained in a longer one;
// 0 when either is empty.
double Overlap(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b);

// MinHash (Broder 1997, "On the resemblance and containment of documents"): `num_hashes` independent
// hash functions h_i(x) = SplitMix64(x XOR seed_i); the signature holds min_i over the shingles. The
// share of equal positions of two signatures estimates their Jaccard similarity (standard error about
// sqrt(J(1-J)/num_hashes)).
class MinHasher {
public:
    // num_hashes >= 1; `seed` fixes the hash family (equal seeds give comparable signatures).
    explicit MinHasher(int num_hashes = 128, std::uint64_t seed = 0x7265637469667921ULL);
    int NumHashes() const { return static_cast<int>(seeds_.size()); }
    // The signature of a shingle set; all positions are UINT64_MAX for an empty set.
    std::vector<std::uint64_t> Signature(const std::vector<std::uint64_t>& shingles) const;
    // Share of equal positions (0..1) of two signatures of the same length (0 for unequal lengths).
    static double Estimate(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b);

private:
    std::vector<std::uint64_t> seeds_;
};

// Locality-sensitive hashing by banding (Leskovec, Rajaraman, Ullman, Mining of Massive Datasets,
// §3.4): the signature is cut into `bands` bands of `rows` rows; two items are candidates when some
// band is equal. A pair of Jaccard J becomes a candidate with probability 1 - (1 - J^rows)^bands.
// Not thread-safe for Add; Candidates may run concurrently once adding is done.
class LshIndex {
public:
    // bands * rows must equal the signature length given to Add and Candidates.
    LshIndex(int bands, int rows);
    // Adds item `id` (any caller-chosen number) with its signature.
    void Add(std::int64_t id, const std::vector<std::uint64_t>& signature);
    // The ids sharing at least one band with `signature`, sorted, without repeats (the item itself
    // included when it was added).
    std::vector<std::int64_t> Candidates(const std::vector<std::uint64_t>& signature) const;
    // The threshold where the candidate probability curve is steepest, about (1/bands)^(1/rows).
    double ApproxThreshold() const;

private:
    std::uint64_t BandKey(const std::vector<std::uint64_t>& signature, int band) const;
    int bands_;
    int rows_;
    std::vector<std::unordered_map<std::uint64_t, std::vector<std::int64_t>>> buckets_;
};

// SplitMix64 finaliser (Steele, Lea, Flood 2014), a bijective 64-bit mixer.
std::uint64_t Mix64(std::uint64_t x);

}  // namespace rectify::text
