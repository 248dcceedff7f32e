;; The optimizer's update of the data-parallel copies, over their packed vectors in one shared memory
;; (weights, moments and every copy's gradient), two parameters at a time in SIMD. The arithmetic is
;; float64 in exactly the order of PackedOptimizer's JavaScript (which computes in doubles and rounds
;; on each store to a Float32Array), so every stored value is bit for bit what the JavaScript stores:
;; IEEE add, multiply, divide and square root round the same in each lane as in a scalar, and wasm
;; never fuses a multiply into an add. Pointers are byte offsets of float32 vectors; [from, to) are
;; element indices. Built into optimizerKernelsBinary.ts by `npm run build:wasm-kernels`.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; p[i] = s · p[i]: the first copy's gradient scaled by its share of the batch.
  (func (export "scale") (param $p i32) (param $from i32) (param $to i32) (param $s f64)
    (local $i i32) (local $a i32) (local $S v128)
    (local.set $S (f64x2.splat (local.get $s)))
    (local.set $i (local.get $from))
    (block $done (loop $body
      (br_if $done (i32.gt_s (i32.add (local.get $i) (i32.const 2)) (local.get $to)))
      (local.set $a (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))
      (v128.store64_lane 0 (local.get $a) (f32x4.demote_f64x2_zero
        (f64x2.mul (local.get $S) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $a))))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $body)))
    (if (i32.lt_s (local.get $i) (local.get $to)) (then
      (local.set $a (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))
      (f32.store (local.get $a) (f32.demote_f64
        (f64.mul (local.get $s) (f64.promote_f32 (f32.load (local.get $a)))))))))

  ;; p[i] = p[i] + s · q[i]: another copy's gradient added with its share.
  (func (export "addScaled") (param $p i32) (param $q i32) (param $from i32) (param $to i32) (param $s f64)
    (local $i i32) (local $o i32) (local $S v128)
    (local.set $S (f64x2.splat (local.get $s)))
    (local.set $i (local.get $from))
    (block $done (loop $body
      (br_if $done (i32.gt_s (i32.add (local.get $i) (i32.const 2)) (local.get $to)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (v128.store64_lane 0 (i32.add (local.get $p) (local.get $o)) (f32x4.demote_f64x2_zero
        (f64x2.add
          (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $p) (local.get $o))))
          (f64x2.mul (local.get $S) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $q) (local.get $o))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $body)))
    (if (i32.lt_s (local.get $i) (local.get $to)) (then
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (f32.store (i32.add (local.get $p) (local.get $o)) (f32.demote_f64
        (f64.add
          (f64.promote_f32 (f32.load (i32.add (local.get $p) (local.get $o))))
          (f64.mul (local.get $s) (f64.promote_f32 (f32.load (i32.add (local.get $q) (local.get $o)))))))))))

  ;; SGD, with momentum when $b is not 0: b = (first ? g : mu·b + g), w = w − lr·b; else w = w − lr·g.
  (func (export "sgd")
    (param $w i32) (param $b i32) (param $g i32) (param $from i32) (param $to i32)
    (param $lr f64) (param $mu f64) (param $first i32)
    (local $i i32) (local $o i32) (local $G v128) (local $B v128) (local $LR v128) (local $MU v128)
    (local $gs f64) (local $bs f64)
    (local.set $LR (f64x2.splat (local.get $lr)))
    (local.set $MU (f64x2.splat (local.get $mu)))
    (local.set $i (local.get $from))
    (block $done (loop $body
      (br_if $done (i32.gt_s (i32.add (local.get $i) (i32.const 2)) (local.get $to)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $G (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $g) (local.get $o)))))
      (local.set $B (local.get $G))
      (if (local.get $b) (then
        (if (i32.eqz (local.get $first)) (then
          (local.set $B (f64x2.add
            (f64x2.mul (local.get $MU) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $b) (local.get $o)))))
            (local.get $G)))))
        (v128.store64_lane 0 (i32.add (local.get $b) (local.get $o)) (f32x4.demote_f64x2_zero (local.get $B)))))
      (v128.store64_lane 0 (i32.add (local.get $w) (local.get $o)) (f32x4.demote_f64x2_zero
        (f64x2.sub
          (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $w) (local.get $o))))
          (f64x2.mul (local.get $LR) (local.get $B)))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $body)))
    (if (i32.lt_s (local.get $i) (local.get $to)) (then
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $gs (f64.promote_f32 (f32.load (i32.add (local.get $g) (local.get $o)))))
      (local.set $bs (local.get $gs))
      (if (local.get $b) (then
        (if (i32.eqz (local.get $first)) (then
          (local.set $bs (f64.add
            (f64.mul (local.get $mu) (f64.promote_f32 (f32.load (i32.add (local.get $b) (local.get $o)))))
            (local.get $gs)))))
        (f32.store (i32.add (local.get $b) (local.get $o)) (f32.demote_f64 (local.get $bs)))))
      (f32.store (i32.add (local.get $w) (local.get $o)) (f32.demote_f64
        (f64.sub
          (f64.promote_f32 (f32.load (i32.add (local.get $w) (local.get $o))))
          (f64.mul (local.get $lr) (local.get $bs))))))))

  ;; Adam: m = b1·m + c1·g, v = b2·v + c2·g·g, w = w − (stepSize·m) / (√v / root2 + eps), with
  ;; c1 = 1 − b1 and c2 = 1 − b2 as the caller computes them, and m, v unrounded in the last line.
  (func (export "adam")
    (param $w i32) (param $m i32) (param $v i32) (param $g i32) (param $from i32) (param $to i32)
    (param $b1 f64) (param $c1 f64) (param $b2 f64) (param $c2 f64) (param $stepSize f64) (param $root2 f64) (param $eps f64)
    (local $i i32) (local $o i32)
    (local $G v128) (local $M v128) (local $V v128)
    (local $B1 v128) (local $C1 v128) (local $B2 v128) (local $C2 v128) (local $STEP v128) (local $ROOT2 v128) (local $EPS v128)
    (local $gs f64) (local $ms f64) (local $vs f64)
    (local.set $B1 (f64x2.splat (local.get $b1)))
    (local.set $C1 (f64x2.splat (local.get $c1)))
    (local.set $B2 (f64x2.splat (local.get $b2)))
    (local.set $C2 (f64x2.splat (local.get $c2)))
    (local.set $STEP (f64x2.splat (local.get $stepSize)))
    (local.set $ROOT2 (f64x2.splat (local.get $root2)))
    (local.set $EPS (f64x2.splat (local.get $eps)))
    (local.set $i (local.get $from))
    (block $done (loop $body
      (br_if $done (i32.gt_s (i32.add (local.get $i) (i32.const 2)) (local.get $to)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $G (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $g) (local.get $o)))))
      (local.set $M (f64x2.add
        (f64x2.mul (local.get $B1) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $m) (local.get $o)))))
        (f64x2.mul (local.get $C1) (local.get $G))))
      (local.set $V (f64x2.add
        (f64x2.mul (local.get $B2) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $v) (local.get $o)))))
        (f64x2.mul (f64x2.mul (local.get $C2) (local.get $G)) (local.get $G))))
      (v128.store64_lane 0 (i32.add (local.get $m) (local.get $o)) (f32x4.demote_f64x2_zero (local.get $M)))
      (v128.store64_lane 0 (i32.add (local.get $v) (local.get $o)) (f32x4.demote_f64x2_zero (local.get $V)))
      (v128.store64_lane 0 (i32.add (local.get $w) (local.get $o)) (f32x4.demote_f64x2_zero
        (f64x2.sub
          (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $w) (local.get $o))))
          (f64x2.div
            (f64x2.mul (local.get $STEP) (local.get $M))
            (f64x2.add (f64x2.div (f64x2.sqrt (local.get $V)) (local.get $ROOT2)) (local.get $EPS))))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $body)))
    (if (i32.lt_s (local.get $i) (local.get $to)) (then
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $gs (f64.promote_f32 (f32.load (i32.add (local.get $g) (local.get $o)))))
      (local.set $ms (f64.add
        (f64.mul (local.get $b1) (f64.promote_f32 (f32.load (i32.add (local.get $m) (local.get $o)))))
        (f64.mul (local.get $c1) (local.get $gs))))
      (local.set $vs (f64.add
        (f64.mul (local.get $b2) (f64.promote_f32 (f32.load (i32.add (local.get $v) (local.get $o)))))
        (f64.mul (f64.mul (local.get $c2) (local.get $gs)) (local.get $gs))))
      (f32.store (i32.add (local.get $m) (local.get $o)) (f32.demote_f64 (local.get $ms)))
      (f32.store (i32.add (local.get $v) (local.get $o)) (f32.demote_f64 (local.get $vs)))
      (f32.store (i32.add (local.get $w) (local.get $o)) (f32.demote_f64
        (f64.sub
          (f64.promote_f32 (f32.load (i32.add (local.get $w) (local.get $o))))
          (f64.div
            (f64.mul (local.get $stepSize) (local.get $ms))
            (f64.add (f64.div (f64.sqrt (local.get $vs)) (local.get $root2)) (local.get $eps)))))))))

  ;; RMSprop: s = alpha·s + c·g·g (c = 1 − alpha), r = g / (√s + eps); with momentum ($b not 0)
  ;; b = mu·b + r and w = w − lr·b, else w = w − lr·r.
  (func (export "rmsprop")
    (param $w i32) (param $s i32) (param $b i32) (param $g i32) (param $from i32) (param $to i32)
    (param $lr f64) (param $alpha f64) (param $c f64) (param $eps f64) (param $mu f64)
    (local $i i32) (local $o i32)
    (local $G v128) (local $S v128) (local $R v128)
    (local $LR v128) (local $ALPHA v128) (local $C v128) (local $EPS v128) (local $MU v128)
    (local $gs f64) (local $ss f64) (local $rs f64)
    (local.set $LR (f64x2.splat (local.get $lr)))
    (local.set $ALPHA (f64x2.splat (local.get $alpha)))
    (local.set $C (f64x2.splat (local.get $c)))
    (local.set $EPS (f64x2.splat (local.get $eps)))
    (local.set $MU (f64x2.splat (local.get $mu)))
    (local.set $i (local.get $from))
    (block $done (loop $body
      (br_if $done (i32.gt_s (i32.add (local.get $i) (i32.const 2)) (local.get $to)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $G (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $g) (local.get $o)))))
      (local.set $S (f64x2.add
        (f64x2.mul (local.get $ALPHA) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $s) (local.get $o)))))
        (f64x2.mul (f64x2.mul (local.get $C) (local.get $G)) (local.get $G))))
      (v128.store64_lane 0 (i32.add (local.get $s) (local.get $o)) (f32x4.demote_f64x2_zero (local.get $S)))
      (local.set $R (f64x2.div (local.get $G) (f64x2.add (f64x2.sqrt (local.get $S)) (local.get $EPS))))
      (if (local.get $b) (then
        (local.set $R (f64x2.add
          (f64x2.mul (local.get $MU) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $b) (local.get $o)))))
          (local.get $R)))
        (v128.store64_lane 0 (i32.add (local.get $b) (local.get $o)) (f32x4.demote_f64x2_zero (local.get $R)))))
      (v128.store64_lane 0 (i32.add (local.get $w) (local.get $o)) (f32x4.demote_f64x2_zero
        (f64x2.sub
          (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $w) (local.get $o))))
          (f64x2.mul (local.get $LR) (local.get $R)))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $body)))
    (if (i32.lt_s (local.get $i) (local.get $to)) (then
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $gs (f64.promote_f32 (f32.load (i32.add (local.get $g) (local.get $o)))))
      (local.set $ss (f64.add
        (f64.mul (local.get $alpha) (f64.promote_f32 (f32.load (i32.add (local.get $s) (local.get $o)))))
        (f64.mul (f64.mul (local.get $c) (local.get $gs)) (local.get $gs))))
      (f32.store (i32.add (local.get $s) (local.get $o)) (f32.demote_f64 (local.get $ss)))
      (local.set $rs (f64.div (local.get $gs) (f64.add (f64.sqrt (local.get $ss)) (local.get $eps))))
      (if (local.get $b) (then
        (local.set $rs (f64.add
          (f64.mul (local.get $mu) (f64.promote_f32 (f32.load (i32.add (local.get $b) (local.get $o)))))
          (local.get $rs)))
        (f32.store (i32.add (local.get $b) (local.get $o)) (f32.demote_f64 (local.get $rs)))))
      (f32.store (i32.add (local.get $w) (local.get $o)) (f32.demote_f64
        (f64.sub
          (f64.promote_f32 (f32.load (i32.add (local.get $w) (local.get $o))))
          (f64.mul (local.get $lr) (local.get $rs))))))))
)
