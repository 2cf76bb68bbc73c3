//! Products of activations with a fixed weight matrix: nearly all of the tagger's arithmetic.
//!
//! Weights are packed once, when the model loads. On CPUs with AVX-512 BF16 (`vdpbf16ps`: AMD Zen 4
//! and later, Intel Sapphire Rapids and later) the product runs in bfloat16 with f32 accumulation, at
//! about twice the rate of the best f32 kernel on the same cores; elsewhere it runs in f32 through the
//! `gemm` crate, the one candle uses. No crate offers a bfloat16 kernel on stable Rust, hence the
//! one below.

/// Which arithmetic the products use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// bfloat16 inputs, f32 sums (AVX-512 BF16).
    Bf16,
    /// f32 throughout.
    F32,
}

impl Kernel {
    /// The fastest kernel this CPU runs, unless `NEWSHOUND_KERNEL=f32` asks for f32 (to compare the
    /// two on one machine).
    pub fn detect() -> Kernel {
        if std::env::var("NEWSHOUND_KERNEL").is_ok_and(|k| k.eq_ignore_ascii_case("f32")) {
            return Kernel::F32;
        }
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512bf16") {
            return Kernel::Bf16;
        }
        Kernel::F32
    }
}

/// Output columns per packed panel (two 16-lane registers).
const PANEL: usize = 32;
/// Activation rows per call of the bfloat16 micro-kernel: 16 accumulators, leaving registers for
/// the weights and the broadcast input.
const ROWS: usize = 8;

/// A weight matrix and bias, packed for one kernel: `out = input · Wᵀ + bias`.
pub struct Weights {
    inputs: usize,
    outputs: usize,
    bias: Vec<f32>,
    packed: Packed,
}

enum Packed {
    /// Per panel of 32 output columns, per pair of inputs, 32 lanes of (w[2p], w[2p+1]) as bf16.
    Bf16(Vec<u32>),
    /// As stored by PyTorch and candle: `outputs` rows of `inputs`.
    F32(Vec<f32>),
}

impl Weights {
    /// `weight` is `outputs × inputs`, row-major (the layout of a PyTorch or candle `Linear`).
    pub fn new(weight: Vec<f32>, bias: Vec<f32>, inputs: usize, outputs: usize, kernel: Kernel) -> Weights {
        assert_eq!(weight.len(), inputs * outputs, "weight shape");
        assert_eq!(bias.len(), outputs, "bias shape");
        // An odd input width has no bf16 pairs; no model here has one, but it must still work.
        let packed = if kernel == Kernel::Bf16 && inputs.is_multiple_of(2) {
            let pairs = inputs / 2;
            let panels = outputs.div_ceil(PANEL);
            let mut packed = vec![0u32; panels * pairs * PANEL];
            for column in 0..outputs {
                let (panel, lane) = (column / PANEL, column % PANEL);
                let row = &weight[column * inputs..(column + 1) * inputs];
                for p in 0..pairs {
                    packed[(panel * pairs + p) * PANEL + lane] = bf16_pair(row[2 * p], row[2 * p + 1]);
                }
            }
            Packed::Bf16(packed)
        } else {
            Packed::F32(weight)
        };
        Weights { inputs, outputs, bias, packed }
    }

    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// `out` (`rows × outputs`) = `input` (`rows × inputs`) · Wᵀ + bias, on the calling thread.
    pub fn apply(&self, input: &[f32], out: &mut [f32]) {
        let rows = input.len() / self.inputs;
        assert_eq!(input.len(), rows * self.inputs, "input width");
        assert_eq!(out.len(), rows * self.outputs, "output shape");
        match &self.packed {
            Packed::Bf16(packed) => {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `Packed::Bf16` is only built when `Kernel::detect` found AVX-512 BF16, or in
                // tests that check for it; the shapes were checked above.
                unsafe {
                    bf16::product(&bf16::pairs(input), rows, self.inputs / 2, packed, &self.bias, out)
                };
                #[cfg(not(target_arch = "x86_64"))]
                unreachable!("bf16 kernel on a CPU without it: {}", packed.len());
            }
            Packed::F32(weight) => {
                for row in out.chunks_exact_mut(self.outputs) {
                    row.copy_from_slice(&self.bias);
                }
                let (m, n, k) = (rows, self.outputs, self.inputs);
                // SAFETY: pointers and strides describe `out` (m × n, row-major), `input` (m × k,
                // row-major) and Wᵀ read from `weight` (n × k, row-major), all checked above.
                unsafe {
                    gemm::gemm(
                        m,
                        n,
                        k,
                        out.as_mut_ptr(),
                        1,
                        n as isize,
                        true,
                        input.as_ptr(),
                        1,
                        k as isize,
                        weight.as_ptr(),
                        k as isize,
                        1,
                        1.0,
                        1.0,
                        false,
                        false,
                        false,
                        gemm::Parallelism::None,
                    )
                };
            }
        }
    }
}

/// Two f32 as bfloat16 (rounded to nearest even) in one u32, the first in the low half.
fn bf16_pair(low: f32, high: f32) -> u32 {
    u32::from(bf16(low)) | (u32::from(bf16(high)) << 16)
}

fn bf16(x: f32) -> u16 {
    if x.is_nan() {
        return 0x7fc0;
    }
    let bits = x.to_bits();
    (bits.wrapping_add(0x7fff + ((bits >> 16) & 1)) >> 16) as u16
}

#[cfg(target_arch = "x86_64")]
mod bf16 {
    use std::arch::x86_64::*;

    use super::{PANEL, ROWS};

    /// `out = input · Wᵀ + bias` with `input` as bf16 pairs (`rows × pairs`) and `packed` from
    /// [`super::Weights::new`].
    ///
    /// # Safety
    /// The CPU must support AVX-512F and AVX-512 BF16; `out` holds `rows × bias.len()` values.
    #[target_feature(enable = "avx512f,avx512bf16")]
    pub unsafe fn product(input: &[u32], rows: usize, pairs: usize, packed: &[u32], bias: &[f32], out: &mut [f32]) {
        let outputs = bias.len();
        let panels = outputs.div_ceil(PANEL);
        // A block of rows stays in cache while every panel of weights passes over it.
        const BLOCK: usize = 64;
        for block in (0..rows).step_by(BLOCK) {
            let block_rows = BLOCK.min(rows - block);
            for panel in 0..panels {
                let weights = &packed[panel * pairs * PANEL..(panel + 1) * pairs * PANEL];
                let columns = PANEL.min(outputs - panel * PANEL);
                for first in (block..block + block_rows).step_by(ROWS) {
                    let count = ROWS.min(block + block_rows - first);
                    // SAFETY: the caller's promise, and slices sized by the loops above.
                    unsafe {
                        tile(
                            &input[first * pairs..(first + count) * pairs],
                            count,
                            weights,
                            &bias[panel * PANEL..panel * PANEL + columns],
                            &mut out[first * outputs + panel * PANEL..],
                            outputs,
                        )
                    };
                }
            }
        }
    }

    /// `values` (of even length) as bf16 pairs, 32 values at a time.
    #[target_feature(enable = "avx512f,avx512bf16")]
    pub fn pairs(values: &[f32]) -> Vec<u32> {
        let mut out = vec![0u32; values.len() / 2];
        let mut chunks = values.chunks_exact(32);
        for (chunk, to) in (&mut chunks).zip(out.chunks_exact_mut(16)) {
            // SAFETY: 32 values in, 16 pairs out.
            unsafe {
                let low = _mm512_loadu_ps(chunk.as_ptr());
                let high = _mm512_loadu_ps(chunk.as_ptr().add(16));
                // The second operand fills the low half of the result.
                _mm512_storeu_si512(
                    to.as_mut_ptr().cast(),
                    std::mem::transmute::<__m512bh, __m512i>(_mm512_cvtne2ps_pbh(high, low)),
                );
            }
        }
        let done = values.len() / 32 * 16;
        for (p, to) in chunks.remainder().chunks_exact(2).zip(&mut out[done..]) {
            *to = super::bf16_pair(p[0], p[1]);
        }
        out
    }

    /// Up to [`ROWS`] rows × one panel of outputs.
    #[target_feature(enable = "avx512f,avx512bf16")]
    unsafe fn tile(input: &[u32], count: usize, weights: &[u32], bias: &[f32], out: &mut [f32], stride: usize) {
        let pairs = weights.len() / PANEL;
        let mut sums = [[_mm512_setzero_ps(); 2]; ROWS];
        let w = weights.as_ptr();
        let a = input.as_ptr();
        for p in 0..pairs {
            // SAFETY: `p < pairs`, so both 16-lane loads lie inside `weights`; `r < count` rows of
            // `pairs` lie inside `input`.
            unsafe {
                let w0: __m512bh = std::mem::transmute(_mm512_loadu_si512(w.add(p * PANEL).cast()));
                let w1: __m512bh = std::mem::transmute(_mm512_loadu_si512(w.add(p * PANEL + 16).cast()));
                // A loop of fixed length with a test inside, rather than a loop of `count`: the
                // compiler then keeps every sum in a register.
                for (r, sum) in sums.iter_mut().enumerate() {
                    if r < count {
                        let x: __m512bh = std::mem::transmute(_mm512_set1_epi32(*a.add(r * pairs + p) as i32));
                        sum[0] = _mm512_dpbf16_ps(sum[0], x, w0);
                        sum[1] = _mm512_dpbf16_ps(sum[1], x, w1);
                    }
                }
            }
        }
        let columns = bias.len();
        let mut padded_bias = [0f32; PANEL];
        padded_bias[..columns].copy_from_slice(bias);
        // SAFETY: lanes beyond `columns` are masked off; row `r` starts at `r * stride` in `out`,
        // which holds at least `(count - 1) * stride + columns` values.
        unsafe {
            let b0 = _mm512_loadu_ps(padded_bias.as_ptr());
            let b1 = _mm512_loadu_ps(padded_bias.as_ptr().add(16));
            let mask = |from: usize| -> __mmask16 {
                let n = columns.saturating_sub(from).min(16);
                ((1u32 << n) - 1) as __mmask16
            };
            let (m0, m1) = (mask(0), mask(16));
            for (r, sum) in sums.iter().enumerate().take(count) {
                let row = out.as_mut_ptr().add(r * stride);
                _mm512_mask_storeu_ps(row, m0, _mm512_add_ps(sum[0], b0));
                _mm512_mask_storeu_ps(row.add(16), m1, _mm512_add_ps(sum[1], b1));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product_by_definition(input: &[f32], weight: &[f32], bias: &[f32], inputs: usize) -> Vec<f32> {
        let outputs = bias.len();
        let rows = input.len() / inputs;
        let mut out = vec![0f32; rows * outputs];
        for r in 0..rows {
            for c in 0..outputs {
                let dot: f64 = (0..inputs).map(|i| (input[r * inputs + i] * weight[c * inputs + i]) as f64).sum();
                out[r * outputs + c] = dot as f32 + bias[c];
            }
        }
        out
    }

    fn values(n: usize, seed: u64) -> Vec<f32> {
        // Deterministic values in [-1, 1).
        (0..n as u64).map(|i| ((i.wrapping_mul(2654435761).wrapping_add(seed) % 2000) as f32 / 1000.0) - 1.0).collect()
    }

    /// Shapes that leave partial panels and partial row tiles, and more rows than one block.
    fn check(kernel: Kernel, tolerance: f32) {
        for &(rows, inputs, outputs) in &[(1, 2, 1), (7, 6, 9), (70, 64, 45), (130, 384, 96)] {
            let input = values(rows * inputs, 1);
            let weight = values(inputs * outputs, 2);
            let bias = values(outputs, 3);
            let expected = product_by_definition(&input, &weight, &bias, inputs);
            let weights = Weights::new(weight, bias, inputs, outputs, kernel);
            let mut out = vec![f32::NAN; rows * outputs];
            weights.apply(&input, &mut out);
            let scale = (inputs as f32).sqrt();
            for (i, (got, want)) in out.iter().zip(&expected).enumerate() {
                assert!(
                    (got - want).abs() <= tolerance * scale,
                    "{kernel:?} {rows}x{inputs}x{outputs} [{i}]: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn f32_kernel_computes_the_product() {
        check(Kernel::F32, 1e-5);
    }

    #[test]
    fn bf16_kernel_computes_the_product_to_bf16_precision() {
        if Kernel::detect() != Kernel::Bf16 {
            eprintln!("this CPU has no AVX-512 BF16: the bf16 kernel cannot run here");
            return;
        }
        // bfloat16 keeps 8 bits of mantissa: each product is within about 2⁻⁸ relative.
        check(Kernel::Bf16, 1e-2);
    }
}
