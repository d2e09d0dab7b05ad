//! Queues by actor: the order in which an actor's limited capacity or attention is handed out
//! (MODEL §4.3). Items are bucketed by actor with a counting sort, and each actor's few items
//! are sorted on one integer key. This gives exactly the order of sorting all items by actor
//! and then by the key, at a fraction of the cost: rationing's full sort alone took a fifth
//! of a city-scale run.

/// A reusable queue of item indices, grouped by bucket in bucket order and, within a bucket,
/// ordered by key.
#[derive(Clone, Debug, Default)]
pub struct BucketQueue {
    /// After `fill`: the end of each bucket in `keys`.
    bucket_end: Vec<u32>,
    /// The item's key (bits 32–127) and its index (bits 0–31).
    keys: Vec<u128>,
}

impl BucketQueue {
    /// Orders items `0..n`. `item(i)` gives the bucket (below `buckets`) and a key below
    /// 2⁹⁶ of item `i`, or `None` to leave it out. Ties in the key are broken by index.
    pub fn fill(
        &mut self,
        buckets: usize,
        n: usize,
        item: impl Fn(usize) -> Option<(usize, u128)>,
    ) {
        let end = &mut self.bucket_end;
        end.clear();
        end.resize(buckets + 1, 0);
        for i in 0..n {
            if let Some((bucket, _)) = item(i) {
                end[bucket + 1] += 1;
            }
        }
        for b in 1..=buckets {
            end[b] += end[b - 1];
        }
        // Placing each key at its bucket's cursor moves the cursor to the bucket's end.
        self.keys.clear();
        self.keys.resize(end[buckets] as usize, 0);
        for i in 0..n {
            if let Some((bucket, key)) = item(i) {
                debug_assert!(key >> 96 == 0, "queue keys have 96 bits");
                let cursor = &mut end[bucket];
                self.keys[*cursor as usize] = (key << 32) | i as u128;
                *cursor += 1;
            }
        }
        end.truncate(buckets);
        let mut start = 0;
        for &stop in end.iter() {
            if stop > start + 1 {
                // The index makes every key distinct, so an unstable sort is deterministic.
                self.keys[start as usize..stop as usize].sort_unstable();
            }
            start = stop;
        }
    }

    /// Item indices in queue order.
    pub fn items(&self) -> impl Iterator<Item = usize> + '_ {
        self.keys.iter().map(|&k| k as u32 as usize)
    }
}

/// `x` as an unsigned integer whose ascending order is `x`'s descending `f64::total_cmp`
/// order, for keys that put the largest first.
pub fn descending(x: f64) -> u64 {
    // The bit trick of `f64::total_cmp`: flip the magnitude bits of negatives, then the sign
    // bit, so unsigned order is total order; `!` reverses it.
    let bits = x.to_bits() as i64;
    !((bits ^ ((((bits >> 63) as u64) >> 1) as i64)) as u64 ^ (1 << 63))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The queue gives exactly the order of a full sort by (bucket, key, index), leaving
        /// out the items it is told to.
        #[test]
        fn the_queue_orders_as_the_full_sort_does(
            items in proptest::collection::vec(
                proptest::option::of((0usize..5, 0u128..4)),
                0..80,
            )
        ) {
            let mut queue = BucketQueue::default();
            queue.fill(5, items.len(), |i| items[i]);
            let mut expected: Vec<(usize, u128, usize)> = items
                .iter()
                .enumerate()
                .filter_map(|(i, it)| it.map(|(b, k)| (b, k, i)))
                .collect();
            expected.sort();
            let expected: Vec<usize> = expected.into_iter().map(|e| e.2).collect();
            proptest::prop_assert_eq!(queue.items().collect::<Vec<_>>(), expected);
        }

        #[test]
        fn descending_reverses_total_order(
            a in proptest::num::f64::ANY,
            b in proptest::num::f64::ANY,
        ) {
            proptest::prop_assert_eq!(descending(a).cmp(&descending(b)), b.total_cmp(&a));
        }
    }

    #[test]
    fn descending_orders_signed_zeros_and_infinities() {
        let xs = [f64::INFINITY, 1.0, 0.0, -0.0, -1.0, f64::NEG_INFINITY];
        assert!(xs.windows(2).all(|w| descending(w[0]) < descending(w[1])));
    }
}
