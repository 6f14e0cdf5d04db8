//! RFC 6962 / RFC 9162 Merkle tree math: hashes, stored-hash layout, proofs, verification.
//!
//! There is no storage here. A log keeps, for every leaf appended, the leaf hash and the hash of
//! every complete subtree that leaf completes, numbered in append order
//! ([`stored_hash_index`]). Any tree head or proof then needs only O(log n) of those hashes:
//! a [`ProofPlan`] names them, the caller fetches them from wherever they live (in one query),
//! and [`ProofPlan::finish`] combines them.

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1).
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// The hash of a leaf: `SHA-256(0x00 || data)` (RFC 6962 §2.1).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)` (RFC 6962 §2.1).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// A tree head: a root hash always carries the size of the tree it is the root of.
#[derive(Debug, Clone, Copy, Eq)]
pub struct RootHash {
    /// The Merkle tree hash.
    pub hash: Hash,
    /// The number of leaves.
    pub size: u64,
}

impl PartialEq for RootHash {
    /// Compares in constant time, so that comparing a forged root leaks nothing through timing.
    fn eq(&self, other: &RootHash) -> bool {
        self.size == other.size && ct_eq(&self.hash, &other.hash)
    }
}

fn ct_eq(a: &Hash, b: &Hash) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// How many hashes a log of `n` leaves stores: each leaf, plus one per completed subtree.
pub fn stored_hash_count(n: u64) -> u64 {
    2 * n - u64::from(n.count_ones())
}

/// The position, in append order, of the stored hash of the complete subtree at `level` with
/// index `i` (covering leaves `[i·2^level, (i+1)·2^level)`).
///
/// Appending leaf `k` stores its leaf hash at `stored_hash_count(k)`, then the hashes of the
/// subtrees it completes, level by level. The subtree above is completed by its last leaf.
pub fn stored_hash_index(level: u32, i: u64) -> u64 {
    let last_leaf = ((i + 1) << level) - 1;
    stored_hash_count(last_leaf) + u64::from(level)
}

/// Stored hashes needed (already in storage) to append leaves `start..start + count`: the
/// left siblings of the subtrees those leaves complete that lie before `start`.
pub fn append_dependencies(start: u64, count: u64) -> Vec<u64> {
    let existing = stored_hash_count(start);
    let mut needed = Vec::new();
    for n in start..start + count {
        for level in 0..(n + 1).trailing_zeros() {
            let sibling = stored_hash_index(level, (n >> level) - 1);
            if sibling < existing && !needed.contains(&sibling) {
                needed.push(sibling);
            }
        }
    }
    needed
}

/// The stored hashes that appending `leaves` at positions `start..` adds, in append order.
///
/// `existing` must hold the hashes named by [`append_dependencies`]`(start, leaves.len())`,
/// in that order.
///
/// # Panics
///
/// When `existing` is shorter than the dependencies: a bug in the caller.
pub fn append_hashes(start: u64, leaves: &[Hash], existing: &[Hash]) -> Vec<(u64, Hash)> {
    let deps = append_dependencies(start, leaves.len() as u64);
    assert!(
        existing.len() >= deps.len(),
        "append_hashes needs every dependency"
    );
    let mut known: std::collections::HashMap<u64, Hash> =
        deps.into_iter().zip(existing.iter().copied()).collect();
    let mut out = Vec::with_capacity(leaves.len() * 2);
    for (offset, leaf) in leaves.iter().enumerate() {
        let n = start + offset as u64;
        let mut current = *leaf;
        let idx = stored_hash_index(0, n);
        out.push((idx, current));
        known.insert(idx, current);
        for level in 1..=(n + 1).trailing_zeros() {
            let sibling = stored_hash_index(level - 1, (n >> (level - 1)) - 1);
            current = node_hash(&known[&sibling], &current);
            let idx = stored_hash_index(level, n >> level);
            out.push((idx, current));
            known.insert(idx, current);
        }
    }
    out
}

/// The largest power of two smaller than `n` (RFC 6962's `k`), for `n > 1`.
fn split(n: u64) -> u64 {
    debug_assert!(n > 1);
    1 << (63 - (n - 1).leading_zeros())
}

/// The complete subtrees `[lo, hi)` decomposes into, largest first, as (level, index).
///
/// Ranges handed to this are always aligned: `lo` is a multiple of a power of two at least
/// `hi - lo`, as every range in RFC 6962's recursion is.
fn complete_subtrees(lo: u64, hi: u64) -> Vec<(u32, u64)> {
    let mut out = Vec::new();
    let mut at = lo;
    while at < hi {
        let level = 63 - (hi - at).leading_zeros();
        out.push((level, at >> level));
        at += 1 << level;
    }
    out
}

/// Which stored hashes a tree head or proof needs, and how to combine them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofPlan {
    /// The ranges whose Merkle tree hashes make up the proof, in proof order.
    ranges: Vec<(u64, u64)>,
    /// The stored hashes to fetch, without duplicates.
    indexes: Vec<u64>,
}

/// A proof that cannot be made for the sizes given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofRequestError {
    /// The leaf is not in the tree.
    #[error("entry {index} is not in a tree of size {size}")]
    IndexOutOfRange {
        /// The leaf.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// Consistency is asked from a larger to a smaller tree.
    #[error("cannot prove consistency from size {from} to the smaller size {to}")]
    Backwards {
        /// The older size.
        from: u64,
        /// The newer size.
        to: u64,
    },
}

impl ProofPlan {
    fn from_ranges(ranges: Vec<(u64, u64)>) -> ProofPlan {
        let mut indexes = Vec::new();
        for (lo, hi) in &ranges {
            for (level, i) in complete_subtrees(*lo, *hi) {
                let idx = stored_hash_index(level, i);
                if !indexes.contains(&idx) {
                    indexes.push(idx);
                }
            }
        }
        ProofPlan { ranges, indexes }
    }

    /// The root of the tree of `size` leaves (one range; empty for the empty tree).
    pub fn tree_hash(size: u64) -> ProofPlan {
        ProofPlan::from_ranges(if size == 0 {
            Vec::new()
        } else {
            vec![(0, size)]
        })
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 6962 §2.1.1).
    ///
    /// # Errors
    ///
    /// When `index >= size`.
    pub fn inclusion(index: u64, size: u64) -> Result<ProofPlan, ProofRequestError> {
        if index >= size {
            return Err(ProofRequestError::IndexOutOfRange { index, size });
        }
        let mut ranges = Vec::new();
        let (mut lo, mut hi) = (0, size);
        // PATH(m, D[lo:hi]) recurses towards the leaf; the sibling ranges are emitted leaf-first.
        let mut stack = Vec::new();
        while hi - lo > 1 {
            let k = split(hi - lo);
            if index < lo + k {
                stack.push((lo + k, hi));
                hi = lo + k;
            } else {
                stack.push((lo, lo + k));
                lo += k;
            }
        }
        while let Some(r) = stack.pop() {
            ranges.push(r);
        }
        Ok(ProofPlan::from_ranges(ranges))
    }

    /// The consistency proof from the tree of `from` leaves to the tree of `to` leaves
    /// (RFC 6962 §2.1.2). Empty when `from` is 0 or equals `to`.
    ///
    /// # Errors
    ///
    /// When `from > to`.
    pub fn consistency(from: u64, to: u64) -> Result<ProofPlan, ProofRequestError> {
        if from > to {
            return Err(ProofRequestError::Backwards { from, to });
        }
        if from == 0 || from == to {
            return Ok(ProofPlan::from_ranges(Vec::new()));
        }
        // SUBPROOF(m, D[lo:hi], b), unrolled; sibling ranges are emitted deepest-first.
        let (mut m, mut lo, mut hi, mut complete) = (from, 0, to, true);
        let mut stack = Vec::new();
        loop {
            let n = hi - lo;
            if m == n {
                if !complete {
                    stack.push((lo, hi));
                }
                break;
            }
            let k = split(n);
            if m <= k {
                stack.push((lo + k, hi));
                hi = lo + k;
            } else {
                stack.push((lo, lo + k));
                m -= k;
                lo += k;
                complete = false;
            }
        }
        stack.reverse();
        Ok(ProofPlan::from_ranges(stack))
    }

    /// The stored hashes to fetch, by [`stored_hash_index`], each once.
    pub fn indexes(&self) -> &[u64] {
        &self.indexes
    }

    /// Combines the fetched hashes (in the order of [`Self::indexes`]) into the proof's hashes,
    /// or, for [`Self::tree_hash`], into a one-element list holding the root.
    ///
    /// # Panics
    ///
    /// When `fetched` does not have one hash per index: a bug in the caller.
    pub fn finish(&self, fetched: &[Hash]) -> Vec<Hash> {
        assert_eq!(
            fetched.len(),
            self.indexes.len(),
            "one fetched hash per planned index"
        );
        let lookup = |idx: u64| {
            fetched[self
                .indexes
                .iter()
                .position(|i| *i == idx)
                .expect("planned index")]
        };
        self.ranges
            .iter()
            .map(|(lo, hi)| {
                let subtrees = complete_subtrees(*lo, *hi);
                let mut hashes = subtrees
                    .iter()
                    .rev()
                    .map(|(level, i)| lookup(stored_hash_index(*level, *i)));
                let last = hashes.next().expect("a range covers at least one leaf");
                // MTH of an aligned range is the right fold of its complete subtrees.
                hashes.fold(last, |acc, left| node_hash(&left, &acc))
            })
            .collect()
    }
}

/// The root of a tree given its hashes per [`ProofPlan::tree_hash`].
pub fn root_from_plan(size: u64, plan: &ProofPlan, fetched: &[Hash]) -> RootHash {
    let hash = plan.finish(fetched).first().copied().unwrap_or(EMPTY_ROOT);
    RootHash { hash, size }
}

/// Why an inclusion proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InclusionVerifyError {
    /// The index is not in the tree.
    #[error("entry {index} is not in a tree of size {size}")]
    IndexOutOfRange {
        /// The leaf.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The proof has the wrong number of hashes for the index and size.
    #[error("the proof has the wrong length for entry {index} in a tree of size {size}")]
    WrongLength {
        /// The leaf.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The proof leads to another root.
    #[error("the proof leads to a different root: the entry is not in this tree")]
    RootMismatch,
}

/// Verifies that `leaf` is entry `index` of the tree with head `root` (RFC 9162 §2.1.3.2).
///
/// # Errors
///
/// Why it is not.
pub fn verify_inclusion(
    index: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &RootHash,
) -> Result<(), InclusionVerifyError> {
    let size = root.size;
    if index >= size {
        return Err(InclusionVerifyError::IndexOutOfRange { index, size });
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(InclusionVerifyError::WrongLength { index, size });
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(InclusionVerifyError::WrongLength { index, size });
    }
    if ct_eq(&r, &root.hash) {
        Ok(())
    } else {
        Err(InclusionVerifyError::RootMismatch)
    }
}

/// Why a consistency proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConsistencyVerifyError {
    /// The newer tree is smaller than the older.
    #[error("the second tree (size {to}) is smaller than the first (size {from})")]
    Backwards {
        /// The older size.
        from: u64,
        /// The newer size.
        to: u64,
    },
    /// The proof is empty or has the wrong number of hashes.
    #[error("the proof has the wrong length for sizes {from} and {to}")]
    WrongLength {
        /// The older size.
        from: u64,
        /// The newer size.
        to: u64,
    },
    /// The proof does not lead to both roots: the newer tree does not extend the older.
    #[error(
        "the proof does not lead to both roots: the log was rewritten between sizes {from} and {to}"
    )]
    RootMismatch {
        /// The older size.
        from: u64,
        /// The newer size.
        to: u64,
    },
}

/// Verifies that the tree with head `second` extends the tree with head `first`
/// (RFC 9162 §2.1.4.2).
///
/// # Errors
///
/// Why it does not.
pub fn verify_consistency(
    first: &RootHash,
    second: &RootHash,
    proof: &[Hash],
) -> Result<(), ConsistencyVerifyError> {
    let (from, to) = (first.size, second.size);
    if from > to {
        return Err(ConsistencyVerifyError::Backwards { from, to });
    }
    if from == to {
        return if !proof.is_empty() {
            Err(ConsistencyVerifyError::WrongLength { from, to })
        } else if ct_eq(&first.hash, &second.hash) {
            Ok(())
        } else {
            Err(ConsistencyVerifyError::RootMismatch { from, to })
        };
    }
    if from == 0 {
        // Every tree extends the empty tree.
        return if proof.is_empty() {
            Ok(())
        } else {
            Err(ConsistencyVerifyError::WrongLength { from, to })
        };
    }
    if proof.is_empty() {
        return Err(ConsistencyVerifyError::WrongLength { from, to });
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if from.is_power_of_two() {
        path.push(first.hash);
    }
    path.extend_from_slice(proof);
    let (mut fnode, mut snode) = (from - 1, to - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snode == 0 {
            return Err(ConsistencyVerifyError::WrongLength { from, to });
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ConsistencyVerifyError::WrongLength { from, to });
    }
    if ct_eq(&fr, &first.hash) && ct_eq(&sr, &second.hash) {
        Ok(())
    } else {
        Err(ConsistencyVerifyError::RootMismatch { from, to })
    }
}

/// The right edge of a tree being built leaf by leaf: the roots of its complete subtrees,
/// largest first. Enough to compute the tree head at every size while streaming a log once.
#[derive(Debug, Clone, Default)]
pub struct Frontier {
    // Invariant: `nodes[i]` is the root of a complete subtree of 2^levels[i] leaves, levels
    // strictly decreasing.
    nodes: Vec<(u32, Hash)>,
    size: u64,
}

impl Frontier {
    /// Adds the next leaf hash; returns the stored hashes it completes, as [`append_hashes`]
    /// would, so that a verifier can compare them with what storage holds.
    pub fn push(&mut self, leaf: Hash) -> Vec<(u64, Hash)> {
        let n = self.size;
        let mut out = vec![(stored_hash_index(0, n), leaf)];
        let mut current = (0u32, leaf);
        while let Some((level, left)) = self.nodes.last().copied() {
            if level != current.0 {
                break;
            }
            self.nodes.pop();
            current = (level + 1, node_hash(&left, &current.1));
            out.push((stored_hash_index(current.0, n >> current.0), current.1));
        }
        self.nodes.push(current);
        self.size += 1;
        out
    }

    /// The tree head of the leaves pushed so far.
    pub fn root(&self) -> RootHash {
        let mut iter = self.nodes.iter().rev();
        let hash = match iter.next() {
            None => EMPTY_ROOT,
            Some((_, last)) => iter.fold(*last, |acc, (_, left)| node_hash(left, &acc)),
        };
        RootHash {
            hash,
            size: self.size,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An in-memory log built only from the public functions, as a store would.
    pub(crate) struct MemLog {
        pub(crate) stored: Vec<Hash>,
        pub(crate) size: u64,
    }

    impl MemLog {
        pub(crate) fn new() -> MemLog {
            MemLog {
                stored: Vec::new(),
                size: 0,
            }
        }

        pub(crate) fn append(&mut self, leaves: &[Hash]) {
            let deps = append_dependencies(self.size, leaves.len() as u64);
            let existing: Vec<Hash> = deps.iter().map(|i| self.stored[*i as usize]).collect();
            for (idx, hash) in append_hashes(self.size, leaves, &existing) {
                assert_eq!(
                    idx as usize,
                    self.stored.len(),
                    "hashes are stored in append order"
                );
                self.stored.push(hash);
            }
            self.size += leaves.len() as u64;
            assert_eq!(self.stored.len() as u64, stored_hash_count(self.size));
        }

        pub(crate) fn run(&self, plan: &ProofPlan) -> Vec<Hash> {
            let fetched: Vec<Hash> = plan
                .indexes()
                .iter()
                .map(|i| self.stored[*i as usize])
                .collect();
            plan.finish(&fetched)
        }

        pub(crate) fn root(&self, size: u64) -> RootHash {
            let plan = ProofPlan::tree_hash(size);
            let fetched: Vec<Hash> = plan
                .indexes()
                .iter()
                .map(|i| self.stored[*i as usize])
                .collect();
            root_from_plan(size, &plan, &fetched)
        }
    }

    /// The tree hash straight from RFC 6962's recursive definition.
    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => EMPTY_ROOT,
            1 => leaves[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    #[test]
    fn stored_layout_matches_append_order() {
        assert_eq!(stored_hash_index(0, 0), 0);
        assert_eq!(stored_hash_index(0, 1), 1);
        assert_eq!(stored_hash_index(1, 0), 2);
        assert_eq!(stored_hash_index(0, 2), 3);
        assert_eq!(stored_hash_index(0, 3), 4);
        assert_eq!(stored_hash_index(1, 1), 5);
        assert_eq!(stored_hash_index(2, 0), 6);
        assert_eq!(stored_hash_count(4), 7);
    }

    #[test]
    fn roots_match_the_recursive_definition_and_the_frontier_for_every_size() {
        let leaves: Vec<Hash> = (0..300u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut log = MemLog::new();
        let mut frontier = Frontier::default();
        // Mix single and batched appends.
        let mut at = 0;
        for chunk in [1usize, 1, 3, 7, 1, 20, 64, 3, 100, 100] {
            let end = (at + chunk).min(leaves.len());
            log.append(&leaves[at..end]);
            at = end;
        }
        for (n, leaf) in leaves.iter().enumerate() {
            let stored = frontier.push(*leaf);
            for (idx, hash) in stored {
                assert_eq!(
                    log.stored[idx as usize], hash,
                    "frontier and append agree at {idx}"
                );
            }
            let size = n as u64 + 1;
            assert_eq!(
                log.root(size).hash,
                reference_root(&leaves[..=n]),
                "size {size}"
            );
            assert_eq!(frontier.root(), log.root(size));
        }
        assert_eq!(log.root(0).hash, EMPTY_ROOT);
    }

    #[test]
    fn proofs_round_trip_for_every_size_up_to_300() {
        let leaves: Vec<Hash> = (0..300u32)
            .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
            .collect();
        let mut log = MemLog::new();
        log.append(&leaves);
        let roots: Vec<RootHash> = (0..=300).map(|s| log.root(s)).collect();
        for size in 1..=300u64 {
            let root = roots[size as usize];
            for index in 0..size {
                let proof = log.run(&ProofPlan::inclusion(index, size).unwrap());
                verify_inclusion(index, &leaves[index as usize], &proof, &root)
                    .unwrap_or_else(|e| panic!("inclusion {index} in {size}: {e}"));
                if index + 1 < size {
                    assert!(
                        verify_inclusion(index + 1, &leaves[index as usize], &proof, &root)
                            .is_err()
                    );
                }
            }
            for from in 0..=size {
                let proof = log.run(&ProofPlan::consistency(from, size).unwrap());
                verify_consistency(&roots[from as usize], &root, &proof)
                    .unwrap_or_else(|e| panic!("consistency {from} -> {size}: {e}"));
                if from > 0 && from < size {
                    let mut bad = proof.clone();
                    bad[0][0] ^= 1;
                    assert!(verify_consistency(&roots[from as usize], &root, &bad).is_err());
                }
            }
        }
    }

    #[test]
    fn impossible_requests_are_errors() {
        assert!(matches!(
            ProofPlan::inclusion(5, 5),
            Err(ProofRequestError::IndexOutOfRange { .. })
        ));
        assert!(matches!(
            ProofPlan::consistency(6, 5),
            Err(ProofRequestError::Backwards { .. })
        ));
        let root = RootHash {
            hash: EMPTY_ROOT,
            size: 0,
        };
        assert!(verify_inclusion(0, &EMPTY_ROOT, &[], &root).is_err());
    }
}
