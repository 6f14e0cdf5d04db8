//! Known-answer tests with the RFC 6962 test vectors published by transparency-dev/merkle
//! (`testonly/constants.go` and `proof/verify_test.go`, Apache-2.0): eight leaf inputs, the
//! tree head for every size, and published inclusion and consistency proofs.

use candor_audit::merkle::{
    EMPTY_ROOT, Hash, ProofPlan, RootHash, append_dependencies, append_hashes, leaf_hash,
    root_from_plan, verify_consistency, verify_inclusion,
};

const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (leaf index, tree size, proof). The published table numbers leaves from 1; these are from 0.
const INCLUSION: [(u64, u64, &[&str]); 4] = [
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (size 1, size 2, proof).
const CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

fn h(hex_str: &str) -> Hash {
    hex::decode(hex_str).unwrap().try_into().unwrap()
}

/// The eight leaves appended one at a time, as a store would, with every stored hash kept.
fn stored_log() -> Vec<Hash> {
    let mut stored: Vec<Hash> = Vec::new();
    for (n, leaf) in LEAVES.iter().enumerate() {
        let leaf = leaf_hash(&hex::decode(leaf).unwrap());
        let deps: Vec<Hash> = append_dependencies(n as u64, 1)
            .iter()
            .map(|i| stored[*i as usize])
            .collect();
        stored.extend(
            append_hashes(n as u64, &[leaf], &deps)
                .into_iter()
                .map(|(_, hash)| hash),
        );
    }
    stored
}

fn run(stored: &[Hash], plan: &ProofPlan) -> Vec<Hash> {
    let fetched: Vec<Hash> = plan.indexes().iter().map(|i| stored[*i as usize]).collect();
    plan.finish(&fetched)
}

fn root(stored: &[Hash], size: u64) -> RootHash {
    let plan = ProofPlan::tree_hash(size);
    let fetched: Vec<Hash> = plan.indexes().iter().map(|i| stored[*i as usize]).collect();
    root_from_plan(size, &plan, &fetched)
}

#[test]
fn tree_heads_match_the_published_roots() {
    let stored = stored_log();
    assert_eq!(root(&stored, 0).hash, EMPTY_ROOT);
    for (i, expected) in ROOTS.iter().enumerate() {
        assert_eq!(
            hex::encode(root(&stored, i as u64 + 1).hash),
            *expected,
            "size {}",
            i + 1
        );
    }
}

#[test]
fn inclusion_proofs_match_the_published_ones_and_verify() {
    let stored = stored_log();
    for (index, size, expected) in INCLUSION {
        let proof = run(&stored, &ProofPlan::inclusion(index, size).unwrap());
        let expected: Vec<Hash> = expected.iter().map(|e| h(e)).collect();
        assert_eq!(proof, expected, "inclusion of {index} in {size}");
        let leaf = leaf_hash(&hex::decode(LEAVES[index as usize]).unwrap());
        let head = RootHash {
            hash: h(ROOTS[size as usize - 1]),
            size,
        };
        verify_inclusion(index, &leaf, &proof, &head).unwrap();
        // Published corruptions: a flipped bit, a wrong index, a wrong size, a truncated proof.
        let mut flipped = proof.clone();
        flipped[0][0] ^= 8;
        assert!(verify_inclusion(index, &leaf, &flipped, &head).is_err());
        assert!(verify_inclusion(index ^ 2, &leaf, &proof, &head).is_err());
        assert!(
            verify_inclusion(
                index,
                &leaf,
                &proof,
                &RootHash {
                    size: size * 2,
                    ..head
                }
            )
            .is_err()
        );
        assert!(verify_inclusion(index, &leaf, &proof[..proof.len() - 1], &head).is_err());
        let mut extended = proof.clone();
        extended.push(head.hash);
        assert!(verify_inclusion(index, &leaf, &extended, &head).is_err());
    }
}

#[test]
fn consistency_proofs_match_the_published_ones_and_verify() {
    let stored = stored_log();
    for (from, to, expected) in CONSISTENCY {
        let proof = run(&stored, &ProofPlan::consistency(from, to).unwrap());
        let expected: Vec<Hash> = expected.iter().map(|e| h(e)).collect();
        assert_eq!(proof, expected, "consistency {from} -> {to}");
        let first = RootHash {
            hash: h(ROOTS[from as usize - 1]),
            size: from,
        };
        let second = RootHash {
            hash: h(ROOTS[to as usize - 1]),
            size: to,
        };
        verify_consistency(&first, &second, &proof).unwrap();
        if !proof.is_empty() {
            assert!(
                verify_consistency(&second, &first, &proof).is_err(),
                "swapped roots"
            );
            assert!(
                verify_consistency(&first, &second, &proof[..proof.len() - 1]).is_err(),
                "truncated"
            );
            let mut flipped = proof.clone();
            flipped[0][0] ^= 16;
            assert!(
                verify_consistency(&first, &second, &flipped).is_err(),
                "modified"
            );
            assert!(verify_consistency(&first, &second, &[]).is_err(), "empty");
            let mut prepended = vec![first.hash];
            prepended.extend_from_slice(&proof);
            assert!(
                verify_consistency(&first, &second, &prepended).is_err(),
                "preceding root"
            );
        }
    }
}
