//! The tagger network for training: a BERT encoder (all-MiniLM-L6-v2 weights) with a learned
//! casing-shape embedding added to its input, and a linear token-classification head, in candle so
//! that gradients flow. Tagging runs the same network through [`super::inference`].
//!
//! Parameter names follow Hugging Face's BERT so the base encoder's safetensors load as they are.

use candle_core::{D, DType, Module, Result, Tensor};
use candle_nn::{Embedding, Linear, VarBuilder, embedding, linear};
use serde::{Deserialize, Serialize};

/// The shape of the network, stored beside the weights in `config.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EncoderConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub layer_norm_eps: f64,
    pub casing_shapes: usize,
    pub labels: usize,
}

/// What one encoder layer's shape is, apart from the rest of the network.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LayerShape {
    pub hidden_size: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub layer_norm_eps: f64,
}

impl EncoderConfig {
    pub fn layer_shape(&self) -> LayerShape {
        LayerShape {
            hidden_size: self.hidden_size,
            num_attention_heads: self.num_attention_heads,
            intermediate_size: self.intermediate_size,
            layer_norm_eps: self.layer_norm_eps,
        }
    }
}

struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f64,
}

impl LayerNorm {
    fn new(size: usize, eps: f64, vb: VarBuilder) -> Result<Self> {
        Ok(LayerNorm { weight: vb.get(size, "weight")?, bias: vb.get(size, "bias")?, eps })
    }

    /// candle's fused layer norm has no backward pass, so it is composed from basic operations.
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        candle_nn::ops::layer_norm_slow(x, &self.weight, &self.bias, self.eps as f32)
    }
}

/// One encoder layer, trainable.
pub struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

impl Layer {
    pub fn new(shape: &LayerShape, vb: VarBuilder) -> Result<Self> {
        let (h, i, eps) = (shape.hidden_size, shape.intermediate_size, shape.layer_norm_eps);
        let attention = vb.pp("attention");
        Ok(Layer {
            query: linear(h, h, attention.pp("self.query"))?,
            key: linear(h, h, attention.pp("self.key"))?,
            value: linear(h, h, attention.pp("self.value"))?,
            attention_out: linear(h, h, attention.pp("output.dense"))?,
            attention_norm: LayerNorm::new(h, eps, attention.pp("output.LayerNorm"))?,
            intermediate: linear(h, i, vb.pp("intermediate.dense"))?,
            output: linear(i, h, vb.pp("output.dense"))?,
            output_norm: LayerNorm::new(h, eps, vb.pp("output.LayerNorm"))?,
        })
    }

    /// `x` `(batch, len, hidden)`; `mask` is added to the attention scores (0, or very negative for
    /// padding), `(batch, 1, 1, len)`.
    pub fn forward(&self, x: &Tensor, mask: &Tensor, heads: usize) -> Result<Tensor> {
        let (batch, len, hidden) = x.dims3()?;
        let head_dim = hidden / heads;
        let split =
            |t: Tensor| -> Result<Tensor> { t.reshape((batch, len, heads, head_dim))?.transpose(1, 2)?.contiguous() };
        let q = split(self.query.forward(x)?)?;
        let k = split(self.key.forward(x)?)?;
        let v = split(self.value.forward(x)?)?;
        let scores = (q.matmul(&k.t()?)? / (head_dim as f64).sqrt())?.broadcast_add(mask)?;
        // The fused softmax has no backward pass either.
        let weights = candle_nn::ops::softmax(&scores, D::Minus1)?;
        let context = weights.matmul(&v)?.transpose(1, 2)?.reshape((batch, len, hidden))?;
        let x = self.attention_norm.forward(&(self.attention_out.forward(&context)? + x)?)?;
        let inner = self.intermediate.forward(&x)?.gelu_erf()?;
        self.output_norm.forward(&(self.output.forward(&inner)? + x)?)
    }
}

/// Encoder plus classification head: word-piece ids and casing shapes in, tag scores out.
pub struct Tagger {
    words: Embedding,
    positions: Embedding,
    token_type: Tensor,
    shapes: Embedding,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
    classifier: Linear,
    heads: usize,
}

impl Tagger {
    pub fn new(config: &EncoderConfig, vb: VarBuilder) -> Result<Self> {
        let h = config.hidden_size;
        let emb = vb.pp("embeddings");
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::new(&config.layer_shape(), vb.pp(format!("encoder.layer.{i}"))))
            .collect::<Result<_>>()?;
        Ok(Tagger {
            // Frozen at their pretrained values: CoNLL's vocabulary is small, and pieces it never shows
            // keep the meaning the base model gave them.
            words: Embedding::new(emb.get((config.vocab_size, h), "word_embeddings.weight")?.detach(), h),
            positions: embedding(config.max_position_embeddings, h, emb.pp("position_embeddings"))?,
            // Every window is one segment: only the first token-type row is ever used.
            token_type: emb.get((2, h), "token_type_embeddings.weight")?.get(0)?,
            shapes: embedding(config.casing_shapes, h, emb.pp("shape_embeddings"))?,
            embedding_norm: LayerNorm::new(h, config.layer_norm_eps, emb.pp("LayerNorm"))?,
            layers,
            classifier: linear(h, config.labels, vb.pp("classifier"))?,
            heads: config.num_attention_heads,
        })
    }

    /// Tag scores `(batch, len, labels)` for `ids` and `shapes` `(batch, len)`; `mask` is 1 for real
    /// tokens and 0 for padding, `(batch, len)` in f32.
    pub fn forward(&self, ids: &Tensor, shapes: &Tensor, mask: &Tensor) -> Result<Tensor> {
        self.classifier.forward(&self.encode(ids, shapes, mask)?)
    }

    /// The encoder's last layer `(batch, len, hidden)`.
    fn encode(&self, ids: &Tensor, shapes: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (_, len) = ids.dims2()?;
        let positions = Tensor::arange(0u32, len as u32, ids.device())?;
        let x = self
            .words
            .forward(ids)?
            .broadcast_add(&self.positions.forward(&positions)?)?
            .broadcast_add(&self.token_type)?
            .add(&self.shapes.forward(shapes)?)?;
        let mut x = self.embedding_norm.forward(&x)?;
        // Padding gets a large negative score so no token attends to it.
        let mask = ((mask.to_dtype(DType::F32)? - 1.0)? * 10_000.0)?.unsqueeze(1)?.unsqueeze(1)?;
        for layer in &self.layers {
            x = layer.forward(&x, &mask, self.heads)?;
        }
        Ok(x)
    }
}
