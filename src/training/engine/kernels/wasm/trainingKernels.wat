;; Training kernels that TF.js' wasm backend lacks or runs slowly, in WebAssembly SIMD. The module
;; imports the backend's own memory, so it reads and writes tensors in place (every pointer is a
;; byte offset into that heap) and costs no copies. Tensors are channels-last (NHWC) float32.
;; Built into trainingKernelsBinary.ts by `npm run build:wasm-kernels`.
(module
  (import "env" "memory" (memory 1))

  ;; dx of a max pool: each window sends its dy to the first position holding its maximum (row-major
  ;; scan, strict comparison, as TF.js' cpu kernel), summed where windows overlap. dx starts zeroed.
  ;; Four channels at a time: the running maximum and its position are selected, never branched on,
  ;; because which position wins is data-dependent and unpredictable.
  (func (export "maxPoolGrad")
    (param $x i32) (param $dy i32) (param $dx i32)
    (param $batch i32) (param $inH i32) (param $inW i32) (param $C i32)
    (param $outH i32) (param $outW i32) (param $sH i32) (param $sW i32)
    (param $fH i32) (param $fW i32) (param $padT i32) (param $padL i32)
    (local $pixel i32) (local $rowBytes i32) (local $imageBytes i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $image i32) (local $dimage i32) (local $o i32)
    (local $r0 i32) (local $r1 i32) (local $c0 i32) (local $c1 i32) (local $r i32) (local $c i32)
    (local $ch i32) (local $first i32) (local $at i32) (local $addr i32)
    (local $best v128) (local $where v128) (local $v v128) (local $m v128)
    (local $bestS f32) (local $whereS i32) (local $vS f32)
    (local.set $pixel (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $inW) (local.get $pixel)))
    (local.set $imageBytes (i32.mul (local.get $inH) (local.get $rowBytes)))
    (local.set $o (local.get $dy))
    (local.set $b (i32.const 0))
    (block $batchDone (loop $batchLoop
      (br_if $batchDone (i32.ge_s (local.get $b) (local.get $batch)))
      (local.set $image (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $imageBytes))))
      (local.set $dimage (i32.add (local.get $dx) (i32.mul (local.get $b) (local.get $imageBytes))))
      (local.set $oh (i32.const 0))
      (block $ohDone (loop $ohLoop
        (br_if $ohDone (i32.ge_s (local.get $oh) (local.get $outH)))
        (local.set $r0 (i32.sub (i32.mul (local.get $oh) (local.get $sH)) (local.get $padT)))
        (local.set $r1 (i32.add (local.get $r0) (local.get $fH)))
        (if (i32.lt_s (local.get $r0) (i32.const 0)) (then (local.set $r0 (i32.const 0))))
        (if (i32.gt_s (local.get $r1) (local.get $inH)) (then (local.set $r1 (local.get $inH))))
        (local.set $ow (i32.const 0))
        (block $owDone (loop $owLoop
          (br_if $owDone (i32.ge_s (local.get $ow) (local.get $outW)))
          (local.set $c0 (i32.sub (i32.mul (local.get $ow) (local.get $sW)) (local.get $padL)))
          (local.set $c1 (i32.add (local.get $c0) (local.get $fW)))
          (if (i32.lt_s (local.get $c0) (i32.const 0)) (then (local.set $c0 (i32.const 0))))
          (if (i32.gt_s (local.get $c1) (local.get $inW)) (then (local.set $c1 (local.get $inW))))
          (if (i32.and (i32.lt_s (local.get $r0) (local.get $r1)) (i32.lt_s (local.get $c0) (local.get $c1)))
            (then
              (local.set $first (i32.add (i32.mul (local.get $r0) (local.get $rowBytes)) (i32.mul (local.get $c0) (local.get $pixel))))
              (local.set $ch (i32.const 0))
              ;; Four channels at a time.
              (block $vecDone (loop $vecLoop
                (br_if $vecDone (i32.gt_s (i32.add (local.get $ch) (i32.const 4)) (local.get $C)))
                (local.set $at (i32.add (local.get $first) (i32.shl (local.get $ch) (i32.const 2))))
                (local.set $best (v128.load (i32.add (local.get $image) (local.get $at))))
                (local.set $where (i32x4.add (i32x4.splat (local.get $at)) (v128.const i32x4 0 4 8 12)))
                (local.set $r (local.get $r0))
                (block $rDone (loop $rLoop
                  (br_if $rDone (i32.ge_s (local.get $r) (local.get $r1)))
                  (local.set $c (local.get $c0))
                  (block $cDone (loop $cLoop
                    (br_if $cDone (i32.ge_s (local.get $c) (local.get $c1)))
                    (local.set $at (i32.add
                      (i32.add (i32.mul (local.get $r) (local.get $rowBytes)) (i32.mul (local.get $c) (local.get $pixel)))
                      (i32.shl (local.get $ch) (i32.const 2))))
                    (local.set $v (v128.load (i32.add (local.get $image) (local.get $at))))
                    (local.set $m (f32x4.gt (local.get $v) (local.get $best)))
                    (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $m)))
                    (local.set $where (v128.bitselect
                      (i32x4.add (i32x4.splat (local.get $at)) (v128.const i32x4 0 4 8 12))
                      (local.get $where) (local.get $m)))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $cLoop)))
                  (local.set $r (i32.add (local.get $r) (i32.const 1)))
                  (br $rLoop)))
                (local.set $at (i32.add (local.get $o) (i32.shl (local.get $ch) (i32.const 2))))
                (local.set $addr (i32.add (local.get $dimage) (i32x4.extract_lane 0 (local.get $where))))
                (f32.store (local.get $addr) (f32.add (f32.load (local.get $addr)) (f32.load offset=0 (local.get $at))))
                (local.set $addr (i32.add (local.get $dimage) (i32x4.extract_lane 1 (local.get $where))))
                (f32.store (local.get $addr) (f32.add (f32.load (local.get $addr)) (f32.load offset=4 (local.get $at))))
                (local.set $addr (i32.add (local.get $dimage) (i32x4.extract_lane 2 (local.get $where))))
                (f32.store (local.get $addr) (f32.add (f32.load (local.get $addr)) (f32.load offset=8 (local.get $at))))
                (local.set $addr (i32.add (local.get $dimage) (i32x4.extract_lane 3 (local.get $where))))
                (f32.store (local.get $addr) (f32.add (f32.load (local.get $addr)) (f32.load offset=12 (local.get $at))))
                (local.set $ch (i32.add (local.get $ch) (i32.const 4)))
                (br $vecLoop)))
              ;; The remaining channels one at a time.
              (block $tailDone (loop $tailLoop
                (br_if $tailDone (i32.ge_s (local.get $ch) (local.get $C)))
                (local.set $whereS (i32.add (local.get $first) (i32.shl (local.get $ch) (i32.const 2))))
                (local.set $bestS (f32.load (i32.add (local.get $image) (local.get $whereS))))
                (local.set $r (local.get $r0))
                (block $rDoneS (loop $rLoopS
                  (br_if $rDoneS (i32.ge_s (local.get $r) (local.get $r1)))
                  (local.set $c (local.get $c0))
                  (block $cDoneS (loop $cLoopS
                    (br_if $cDoneS (i32.ge_s (local.get $c) (local.get $c1)))
                    (local.set $at (i32.add
                      (i32.add (i32.mul (local.get $r) (local.get $rowBytes)) (i32.mul (local.get $c) (local.get $pixel)))
                      (i32.shl (local.get $ch) (i32.const 2))))
                    (local.set $vS (f32.load (i32.add (local.get $image) (local.get $at))))
                    ;; Selects, not a branch, here too.
                    (local.set $whereS (select (local.get $at) (local.get $whereS) (f32.gt (local.get $vS) (local.get $bestS))))
                    (local.set $bestS (select (local.get $vS) (local.get $bestS) (f32.gt (local.get $vS) (local.get $bestS))))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $cLoopS)))
                  (local.set $r (i32.add (local.get $r) (i32.const 1)))
                  (br $rLoopS)))
                (local.set $addr (i32.add (local.get $dimage) (local.get $whereS)))
                (f32.store (local.get $addr) (f32.add (f32.load (local.get $addr))
                  (f32.load (i32.add (local.get $o) (i32.shl (local.get $ch) (i32.const 2))))))
                (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
                (br $tailLoop)))))
          (local.set $o (i32.add (local.get $o) (local.get $pixel)))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br $owLoop)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $batchLoop))))

  ;; Adds `count` floats of src into dst, four at a time.
  (func $addInto (param $dst i32) (param $src i32) (param $count i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $count) (i32.const 2))))
    (block $vecDone (loop $vecLoop
      (br_if $vecDone (i32.gt_s (i32.add (local.get $dst) (i32.const 16)) (local.get $end)))
      (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (br $vecLoop)))
    (block $done (loop $loop
      (br_if $done (i32.ge_s (local.get $dst) (local.get $end)))
      (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (br $loop))))

  ;; out = x + v over n floats, where v repeats every $period floats ($period a multiple of 4: the
  ;; caller tiles a bias vector to it). A bias add along the last axis thus runs as whole-vector
  ;; adds however few the channels (TF.js' Add walks a broadcast output one value at a time). The
  ;; last, partial period goes one float at a time.
  (func (export "addPeriodic") (param $x i32) (param $v i32) (param $out i32) (param $n i32) (param $period i32)
    (local $end i32) (local $k i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $period) (i32.const 2)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $periodsDone (loop $periodLoop
      (br_if $periodsDone (i32.gt_u (i32.add (local.get $out) (local.get $bytes)) (local.get $end)))
      (local.set $k (i32.const 0))
      (block $vecDone (loop $vecLoop
        (br_if $vecDone (i32.ge_u (local.get $k) (local.get $bytes)))
        (v128.store (i32.add (local.get $out) (local.get $k))
          (f32x4.add (v128.load (i32.add (local.get $x) (local.get $k))) (v128.load (i32.add (local.get $v) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $vecLoop)))
      (local.set $x (i32.add (local.get $x) (local.get $bytes)))
      (local.set $out (i32.add (local.get $out) (local.get $bytes)))
      (br $periodLoop)))
    (local.set $k (i32.const 0))
    (block $tailDone (loop $tailLoop
      (br_if $tailDone (i32.ge_u (i32.add (local.get $out) (local.get $k)) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $k))
        (f32.add (f32.load (i32.add (local.get $x) (local.get $k))) (f32.load (i32.add (local.get $v) (local.get $k)))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $tailLoop))))

  ;; col2im: scatters columns [batch, outH, outW, kH, kW, C] back onto the image [batch, inH, inW, C]
  ;; they were taken from (with strides, dilations and padding), summing overlaps. dx starts zeroed.
  (func (export "col2im")
    (param $cols i32) (param $dx i32)
    (param $batch i32) (param $outH i32) (param $outW i32) (param $kH i32) (param $kW i32) (param $C i32)
    (param $inH i32) (param $inW i32) (param $sH i32) (param $sW i32)
    (param $padT i32) (param $padL i32) (param $dH i32) (param $dW i32)
    (local $pixel i32) (local $src i32) (local $b i32) (local $oh i32) (local $ow i32)
    (local $kh i32) (local $kw i32) (local $ih i32) (local $iw i32) (local $row i32)
    (local.set $pixel (i32.shl (local.get $C) (i32.const 2)))
    (local.set $src (local.get $cols))
    (local.set $b (i32.const 0))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.ge_s (local.get $b) (local.get $batch)))
      (local.set $oh (i32.const 0))
      (block $ohDone (loop $ohLoop
        (br_if $ohDone (i32.ge_s (local.get $oh) (local.get $outH)))
        (local.set $ow (i32.const 0))
        (block $owDone (loop $owLoop
          (br_if $owDone (i32.ge_s (local.get $ow) (local.get $outW)))
          (local.set $kh (i32.const 0))
          (block $khDone (loop $khLoop
            (br_if $khDone (i32.ge_s (local.get $kh) (local.get $kH)))
            (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sH)) (local.get $padT)) (i32.mul (local.get $kh) (local.get $dH))))
            (if (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $inH)))
              (then
                (local.set $row (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $ih)) (local.get $inW)))
                (local.set $kw (i32.const 0))
                (block $kwDone (loop $kwLoop
                  (br_if $kwDone (i32.ge_s (local.get $kw) (local.get $kW)))
                  (local.set $iw (i32.add (i32.sub (i32.mul (local.get $ow) (local.get $sW)) (local.get $padL)) (i32.mul (local.get $kw) (local.get $dW))))
                  (if (i32.and (i32.ge_s (local.get $iw) (i32.const 0)) (i32.lt_s (local.get $iw) (local.get $inW)))
                    (then
                      (call $addInto
                        (i32.add (local.get $dx) (i32.mul (i32.add (local.get $row) (local.get $iw)) (local.get $pixel)))
                        (i32.add (local.get $src) (i32.mul (local.get $kw) (local.get $pixel)))
                        (local.get $C))))
                  (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                  (br $kwLoop)))))
            (local.set $src (i32.add (local.get $src) (i32.mul (local.get $kW) (local.get $pixel))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $khLoop)))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br $owLoop)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bLoop))))

  ;; Sums a [rows, cols] matrix over its rows into out [cols] (a bias gradient: dy summed over batch
  ;; and positions). TF.js' own Sum transposes the reduced axes innermost first, a full extra pass.
  (func (export "sumRows") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0) (local.get $rowBytes))
    (local.set $r (i32.const 0))
    (block $done (loop $loop
      (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
      (call $addInto (local.get $out) (local.get $x) (local.get $cols))
      (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $loop))))

  ;; Byte offset of filter tap k (k = (kh·kW + kw)·C + ci) from an output position's first input
  ;; value; a tap past the last (a tile's padding) repeats the last, whose sums are dropped.
  (func $tapOffset (param $k i32) (param $taps i32) (param $C i32) (param $kW i32) (param $dH i32) (param $dW i32) (param $inW i32) (result i32)
    (if (i32.ge_s (local.get $k) (local.get $taps)) (then (local.set $k (i32.sub (local.get $taps) (i32.const 1)))))
    (i32.shl (i32.add
      (i32.mul
        (i32.add
          (i32.mul (i32.mul (i32.div_u (local.get $k) (i32.mul (local.get $kW) (local.get $C))) (local.get $dH)) (local.get $inW))
          (i32.mul (i32.rem_u (i32.div_u (local.get $k) (local.get $C)) (local.get $kW)) (local.get $dW)))
        (local.get $C))
      (i32.rem_u (local.get $k) (local.get $C))) (i32.const 2)))

  ;; Address of x[b, oh·sH, 0, 0] for output row `row` = b·outH + oh.
  (func $rowStart (param $x i32) (param $row i32) (param $outH i32) (param $inH i32) (param $sH i32) (param $inW i32) (param $C i32) (result i32)
    (i32.add (local.get $x)
      (i32.shl (i32.mul (i32.mul
        (i32.add
          (i32.mul (i32.div_u (local.get $row) (local.get $outH)) (local.get $inH))
          (i32.mul (i32.rem_u (local.get $row) (local.get $outH)) (local.get $sH)))
        (local.get $inW)) (local.get $C)) (i32.const 2))))

  ;; A filter-gradient tile's sums, from $scratch ($tileTaps rows of $rowBytes, one per tap), into
  ;; dW[tap.., co..]: the taps that exist, at most $width channels of those that exist. The first
  ;; chunk of positions stores, the others add.
  (func $storeTile (param $dw i32) (param $scratch i32) (param $tap i32) (param $tileTaps i32) (param $taps i32)
    (param $co i32) (param $width i32) (param $outC i32) (param $rowBytes i32) (param $first i32)
    (local $t i32) (local $lanes i32) (local $l i32) (local $at i32) (local $from i32)
    (local.set $lanes (i32.sub (local.get $outC) (local.get $co)))
    (if (i32.gt_s (local.get $lanes) (local.get $width)) (then (local.set $lanes (local.get $width))))
    (block $outDone (loop $outLoop
      (br_if $outDone (i32.or (i32.ge_s (local.get $t) (local.get $tileTaps)) (i32.ge_s (i32.add (local.get $tap) (local.get $t)) (local.get $taps))))
      (local.set $at (i32.add (local.get $dw) (i32.shl (i32.add (i32.mul (i32.add (local.get $tap) (local.get $t)) (local.get $outC)) (local.get $co)) (i32.const 2))))
      (local.set $from (i32.add (local.get $scratch) (i32.mul (local.get $t) (local.get $rowBytes))))
      (if (local.get $first)
        (then (memory.copy (local.get $at) (local.get $from) (i32.shl (local.get $lanes) (i32.const 2))))
        (else
          (local.set $l (i32.const 0))
          (block $addDone (loop $addLoop
            (br_if $addDone (i32.ge_s (local.get $l) (local.get $lanes)))
            (f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (f32.load (local.get $from))))
            (local.set $at (i32.add (local.get $at) (i32.const 4)))
            (local.set $from (i32.add (local.get $from) (i32.const 4)))
            (local.set $l (i32.add (local.get $l) (i32.const 1)))
            (br $addLoop)))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $outLoop))))

  ;; dW of an unpadded convolution ([kH, kW, C, outC], any strides and dilations): for four filter
  ;; taps and twelve output channels at a time, the products of each output position's dy (three
  ;; vectors) with the four input values under those taps accumulate in twelve registers over the
  ;; positions. dy is read once per block of taps, not once per tap. The positions go in chunks of
  ;; $chunkRows output rows (over batch and height), every block of taps and channels done over one
  ;; chunk before the next: a chunk's dy and x stay in cache while they are read once per block,
  ;; where a whole pass per block streamed them from memory (ResNet's layers: 8 MB of dy, read
  ;; 864 times). The first chunk stores its sums in dW, the others add theirs. Lanes past outC (dy's
  ;; next values) are computed and dropped: the caller makes sure 48 bytes past dy are inside memory.
  ;; $scratch is 192 bytes of the caller's, for the accumulators on their way out. Channel counts
  ;; that fill eight lanes better than twelve go to filterGradientValidNarrow instead.
  (func (export "filterGradientValid")
    (param $x i32) (param $dy i32) (param $dw i32) (param $scratch i32)
    (param $batch i32) (param $inH i32) (param $inW i32) (param $C i32)
    (param $outH i32) (param $outW i32) (param $outC i32)
    (param $kH i32) (param $kW i32) (param $sH i32) (param $sW i32) (param $dH i32) (param $dW i32)
    (param $chunkRows i32)
    (local $taps i32) (local $tap i32) (local $co i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $rows i32) (local $r0 i32) (local $r1 i32) (local $row i32)
    (local $ow i32) (local $px i32) (local $dyp i32) (local $colStep i32) (local $pixelOut i32) (local $rowOut i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $d0 v128) (local $d1 v128) (local $d2 v128)
    (local $a00 v128) (local $a01 v128) (local $a02 v128) (local $a10 v128) (local $a11 v128) (local $a12 v128) (local $a20 v128) (local $a21 v128) (local $a22 v128) (local $a30 v128) (local $a31 v128) (local $a32 v128)
    (local.set $taps (i32.mul (i32.mul (local.get $kH) (local.get $kW)) (local.get $C)))
    (local.set $colStep (i32.shl (i32.mul (local.get $sW) (local.get $C)) (i32.const 2)))
    (local.set $pixelOut (i32.shl (local.get $outC) (i32.const 2)))
    (local.set $rowOut (i32.mul (local.get $outW) (local.get $pixelOut)))
    (local.set $rows (i32.mul (local.get $batch) (local.get $outH)))
    (if (i32.lt_s (local.get $chunkRows) (i32.const 1)) (then (local.set $chunkRows (i32.const 1))))
    (local.set $r0 (i32.const 0))
    (block $chunksDone (loop $chunkLoop
      (br_if $chunksDone (i32.ge_s (local.get $r0) (local.get $rows)))
      (local.set $r1 (i32.add (local.get $r0) (local.get $chunkRows)))
      (if (i32.gt_s (local.get $r1) (local.get $rows)) (then (local.set $r1 (local.get $rows))))
      (local.set $tap (i32.const 0))
      (block $tapsDone (loop $tapLoop
        (br_if $tapsDone (i32.ge_s (local.get $tap) (local.get $taps)))
        ;; Byte offsets of the block's four taps from an output position's first input value.
        (local.set $o0 (call $tapOffset (local.get $tap) (local.get $taps) (local.get $C) (local.get $kW) (local.get $dH) (local.get $dW) (local.get $inW)))
        (local.set $o1 (call $tapOffset (i32.add (local.get $tap) (i32.const 1)) (local.get $taps) (local.get $C) (local.get $kW) (local.get $dH) (local.get $dW) (local.get $inW)))
        (local.set $o2 (call $tapOffset (i32.add (local.get $tap) (i32.const 2)) (local.get $taps) (local.get $C) (local.get $kW) (local.get $dH) (local.get $dW) (local.get $inW)))
        (local.set $o3 (call $tapOffset (i32.add (local.get $tap) (i32.const 3)) (local.get $taps) (local.get $C) (local.get $kW) (local.get $dH) (local.get $dW) (local.get $inW)))
        (local.set $co (i32.const 0))
        (block $coDone (loop $coLoop
          (br_if $coDone (i32.ge_s (local.get $co) (local.get $outC)))
          (local.set $a00 (v128.const i32x4 0 0 0 0))
          (local.set $a01 (v128.const i32x4 0 0 0 0))
          (local.set $a02 (v128.const i32x4 0 0 0 0))
          (local.set $a10 (v128.const i32x4 0 0 0 0))
          (local.set $a11 (v128.const i32x4 0 0 0 0))
          (local.set $a12 (v128.const i32x4 0 0 0 0))
          (local.set $a20 (v128.const i32x4 0 0 0 0))
          (local.set $a21 (v128.const i32x4 0 0 0 0))
          (local.set $a22 (v128.const i32x4 0 0 0 0))
          (local.set $a30 (v128.const i32x4 0 0 0 0))
          (local.set $a31 (v128.const i32x4 0 0 0 0))
          (local.set $a32 (v128.const i32x4 0 0 0 0))
          ;; dy's positions are contiguous across rows: one pointer walks the whole chunk.
          (local.set $dyp (i32.add (i32.add (local.get $dy) (i32.mul (local.get $r0) (local.get $rowOut))) (i32.shl (local.get $co) (i32.const 2))))
          (local.set $row (local.get $r0))
          (block $rowDone (loop $rowLoop
            (br_if $rowDone (i32.ge_s (local.get $row) (local.get $r1)))
            (local.set $px (call $rowStart (local.get $x) (local.get $row) (local.get $outH) (local.get $inH) (local.get $sH) (local.get $inW) (local.get $C)))
            (local.set $ow (i32.const 0))
            (block $owDone (loop $owLoop
              (br_if $owDone (i32.ge_s (local.get $ow) (local.get $outW)))
                  (local.set $d0 (v128.load (local.get $dyp)))
                  (local.set $d1 (v128.load offset=16 (local.get $dyp)))
                  (local.set $d2 (v128.load offset=32 (local.get $dyp)))
                  (local.set $x0 (f32x4.splat (f32.load (i32.add (local.get $px) (local.get $o0)))))
                  (local.set $x1 (f32x4.splat (f32.load (i32.add (local.get $px) (local.get $o1)))))
                  (local.set $x2 (f32x4.splat (f32.load (i32.add (local.get $px) (local.get $o2)))))
                  (local.set $x3 (f32x4.splat (f32.load (i32.add (local.get $px) (local.get $o3)))))
                  (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $x0) (local.get $d0))))
                  (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $x0) (local.get $d1))))
                  (local.set $a02 (f32x4.add (local.get $a02) (f32x4.mul (local.get $x0) (local.get $d2))))
                  (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $x1) (local.get $d0))))
                  (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $x1) (local.get $d1))))
                  (local.set $a12 (f32x4.add (local.get $a12) (f32x4.mul (local.get $x1) (local.get $d2))))
                  (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $x2) (local.get $d0))))
                  (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $x2) (local.get $d1))))
                  (local.set $a22 (f32x4.add (local.get $a22) (f32x4.mul (local.get $x2) (local.get $d2))))
                  (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $x3) (local.get $d0))))
                  (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $x3) (local.get $d1))))
                  (local.set $a32 (f32x4.add (local.get $a32) (f32x4.mul (local.get $x3) (local.get $d2))))
              (local.set $px (i32.add (local.get $px) (local.get $colStep)))
              (local.set $dyp (i32.add (local.get $dyp) (local.get $pixelOut)))
              (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
              (br $owLoop)))
            (local.set $row (i32.add (local.get $row) (i32.const 1)))
            (br $rowLoop)))
          ;; Out through the scratch: the taps that exist, the channels that exist.
          (v128.store offset=0 (local.get $scratch) (local.get $a00))
          (v128.store offset=16 (local.get $scratch) (local.get $a01))
          (v128.store offset=32 (local.get $scratch) (local.get $a02))
          (v128.store offset=48 (local.get $scratch) (local.get $a10))
          (v128.store offset=64 (local.get $scratch) (local.get $a11))
          (v128.store offset=80 (local.get $scratch) (local.get $a12))
          (v128.store offset=96 (local.get $scratch) (local.get $a20))
          (v128.store offset=112 (local.get $scratch) (local.get $a21))
          (v128.store offset=128 (local.get $scratch) (local.get $a22))
          (v128.store offset=144 (local.get $scratch) (local.get $a30))
          (v128.store offset=160 (local.get $scratch) (local.get $a31))
          (v128.store offset=176 (local.get $scratch) (local.get $a32))
          (call $storeTile (local.get $dw) (local.get $scratch) (local.get $tap) (i32.const 4) (local.get $taps)
            (local.get $co) (i32.const 12) (local.get $outC) (i32.const 48) (i32.eqz (local.get $r0)))
          (local.set $co (i32.add (local.get $co) (i32.const 12)))
          (br $coLoop)))
        (local.set $tap (i32.add (local.get $tap) (i32.const 4)))
        (br $tapLoop)))
      (local.set $r0 (local.get $r1))
      (br $chunkLoop))))

  ;; filterGradientValid's tile reshaped to six taps by eight output channels (two vectors): the
  ;; same products, for channel counts that twelve lanes fit badly (6, 16, 32, 64: a multiple of
  ;; eight leaves no lane idle). Same parameters; it reads up to 32 bytes past dy.
  (func (export "filterGradientValidNarrow")
    (param $x i32) (param $dy i32) (param $dw i32) (param $scratch i32)
    (param $batch i32) (param $inH i32) (param $inW i32) (param $C i32)
    (param $outH i32) (param $outW i32) (param $outC i32)
    (param $kH i32) (param $kW i32) (param $sH i32) (param $sW i32) (param $dH i32) (param $dW i32)
    (param $chunkRows i32)
    (local $taps i32) (local $tap i32) (local $co i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $o4 i32) (local $o5 i32)
    (local $rows i32) (local $r0 i32) (local $r1 i32) (local $row i32)
    (local $ow i32) (local $px i32) (local $dyp i32) (local $colStep i32) (local $pixelOut i32) (local $rowOut i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $x4 v128) (local $x5 v128) (local $d0 v128) (local $d1 v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128) (local $a20 v128) (local $a21 v128)
    (local $a30 v128) (local $a31 v128) (local $a40 v128) (local $a41 v128) (local $a50 v128) (local $a51 v128)
    (local.set $taps (i32.mul (i32.mul (local.get $kH) (local.get $kW)) (local.get $C)))
    (local.set $colStep (i32.shl (i32.mul (local.get $sW) (local.get $C)) (i32.const 2)))
    (local.set $pixelOut (i32.shl (local.get $outC) (i32.const 2)))
    (local.set $rowOut (i32.mul (local.get $outW) (local.get $pixelOut)))
    (local.set $rows (i32.mul (local.get $batch) (local.get $outH)))
    (if (i32.lt_s (local.get $chunkRows) (i32.const 1)) (then (local.set $chunkRows (i32.const 1))))
    (local.set $r0 (i32.const 0))
    (block $chunksDone (loop $chunkLoop
      (br_if $chunksDone (i32.ge_s (local.get $r0) (local.get $rows)))
      (local.set $r1 (i32.add (local.get $r0) (local.get $chunkRows)))
      (if (i32.gt_s (local.get $r1) (local.get $rows)) (then (local.set $r1 (local.get $rows))))
      (local.set $tap (i32.const 0))
      (block $tapsDone (loop $tapLoop
        (br_if $tapsDone (i32.ge_s (local.get $tap) (local.get $taps)))
        (local.set $o0 (call $tapOffset (local.get $tap) (local.get $taps) (local.get $C) (local.get $kW) (local.get $dH) (local.get $dW) (local.get $inW)))
        (local.set $o1 (call $tapOffset (i32.add (local.get $tap) (i32.const 1)) (local.get $taps) (local.get $C) (local.get $kW) (local.get $dH) (local.get $dW) (local.get $inW)))
        (local.set $o2 (call $tapOffset (i32.add (local.get $tap) (i32.const 2)) (local.get $taps) (local.get $C) (local.get $kW) (local.get $dH) (local.get $dW) (local.get $inW)))
        (local.set $o3 (call $tapOffset (i32.add (local.get $tap) (i32.const 3)) (local.get $taps) (local.get $C) (local.get $kW) (local.get $dH) (local.get $dW) (local.get $inW)))
        (local.set $o4 (call $tapOffset (i32.add (local.get $tap) (i32.const 4)) (local.get $taps) (local.get $C) (local.get $kW) (local.get $dH) (local.get $dW) (local.get $inW)))
        (local.set $o5 (call $tapOffset (i32.add (local.get $tap) (i32.const 5)) (local.get $taps) (local.get $C) (local.get $kW) (local.get $dH) (local.get $dW) (local.get $inW)))
        (local.set $co (i32.const 0))
        (block $coDone (loop $coLoop
          (br_if $coDone (i32.ge_s (local.get $co) (local.get $outC)))
          (local.set $a00 (v128.const i32x4 0 0 0 0))
          (local.set $a01 (v128.const i32x4 0 0 0 0))
          (local.set $a10 (v128.const i32x4 0 0 0 0))
          (local.set $a11 (v128.const i32x4 0 0 0 0))
          (local.set $a20 (v128.const i32x4 0 0 0 0))
          (local.set $a21 (v128.const i32x4 0 0 0 0))
          (local.set $a30 (v128.const i32x4 0 0 0 0))
          (local.set $a31 (v128.const i32x4 0 0 0 0))
          (local.set $a40 (v128.const i32x4 0 0 0 0))
          (local.set $a41 (v128.const i32x4 0 0 0 0))
          (local.set $a50 (v128.const i32x4 0 0 0 0))
          (local.set $a51 (v128.const i32x4 0 0 0 0))
          (local.set $dyp (i32.add (i32.add (local.get $dy) (i32.mul (local.get $r0) (local.get $rowOut))) (i32.shl (local.get $co) (i32.const 2))))
          (local.set $row (local.get $r0))
          (block $rowDone (loop $rowLoop
            (br_if $rowDone (i32.ge_s (local.get $row) (local.get $r1)))
            (local.set $px (call $rowStart (local.get $x) (local.get $row) (local.get $outH) (local.get $inH) (local.get $sH) (local.get $inW) (local.get $C)))
            (local.set $ow (i32.const 0))
            (block $owDone (loop $owLoop
              (br_if $owDone (i32.ge_s (local.get $ow) (local.get $outW)))
                  (local.set $d0 (v128.load (local.get $dyp)))
                  (local.set $d1 (v128.load offset=16 (local.get $dyp)))
                  (local.set $x0 (f32x4.splat (f32.load (i32.add (local.get $px) (local.get $o0)))))
                  (local.set $x1 (f32x4.splat (f32.load (i32.add (local.get $px) (local.get $o1)))))
                  (local.set $x2 (f32x4.splat (f32.load (i32.add (local.get $px) (local.get $o2)))))
                  (local.set $x3 (f32x4.splat (f32.load (i32.add (local.get $px) (local.get $o3)))))
                  (local.set $x4 (f32x4.splat (f32.load (i32.add (local.get $px) (local.get $o4)))))
                  (local.set $x5 (f32x4.splat (f32.load (i32.add (local.get $px) (local.get $o5)))))
                  (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $x0) (local.get $d0))))
                  (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $x0) (local.get $d1))))
                  (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $x1) (local.get $d0))))
                  (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $x1) (local.get $d1))))
                  (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $x2) (local.get $d0))))
                  (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $x2) (local.get $d1))))
                  (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $x3) (local.get $d0))))
                  (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $x3) (local.get $d1))))
                  (local.set $a40 (f32x4.add (local.get $a40) (f32x4.mul (local.get $x4) (local.get $d0))))
                  (local.set $a41 (f32x4.add (local.get $a41) (f32x4.mul (local.get $x4) (local.get $d1))))
                  (local.set $a50 (f32x4.add (local.get $a50) (f32x4.mul (local.get $x5) (local.get $d0))))
                  (local.set $a51 (f32x4.add (local.get $a51) (f32x4.mul (local.get $x5) (local.get $d1))))
              (local.set $px (i32.add (local.get $px) (local.get $colStep)))
              (local.set $dyp (i32.add (local.get $dyp) (local.get $pixelOut)))
              (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
              (br $owLoop)))
            (local.set $row (i32.add (local.get $row) (i32.const 1)))
            (br $rowLoop)))
          (v128.store offset=0 (local.get $scratch) (local.get $a00))
          (v128.store offset=16 (local.get $scratch) (local.get $a01))
          (v128.store offset=32 (local.get $scratch) (local.get $a10))
          (v128.store offset=48 (local.get $scratch) (local.get $a11))
          (v128.store offset=64 (local.get $scratch) (local.get $a20))
          (v128.store offset=80 (local.get $scratch) (local.get $a21))
          (v128.store offset=96 (local.get $scratch) (local.get $a30))
          (v128.store offset=112 (local.get $scratch) (local.get $a31))
          (v128.store offset=128 (local.get $scratch) (local.get $a40))
          (v128.store offset=144 (local.get $scratch) (local.get $a41))
          (v128.store offset=160 (local.get $scratch) (local.get $a50))
          (v128.store offset=176 (local.get $scratch) (local.get $a51))
          (call $storeTile (local.get $dw) (local.get $scratch) (local.get $tap) (i32.const 6) (local.get $taps)
            (local.get $co) (i32.const 8) (local.get $outC) (i32.const 32) (i32.eqz (local.get $r0)))
          (local.set $co (i32.add (local.get $co) (i32.const 8)))
          (br $coLoop)))
        (local.set $tap (i32.add (local.get $tap) (i32.const 6)))
        (br $tapLoop)))
      (local.set $r0 (local.get $r1))
      (br $chunkLoop))))

  ;; The first $n (0–4) lanes of $v stored at $at, the rest of memory there untouched.
  (func $storeLanes (param $at i32) (param $v v128) (param $n i32)
    (if (i32.ge_s (local.get $n) (i32.const 4)) (then (v128.store (local.get $at) (local.get $v)) (return)))
    (if (i32.ge_s (local.get $n) (i32.const 2))
      (then
        (v128.store64_lane 0 (local.get $at) (local.get $v))
        (if (i32.eq (local.get $n) (i32.const 3)) (then (v128.store32_lane offset=8 2 (local.get $at) (local.get $v)))))
      (else (if (i32.eq (local.get $n) (i32.const 1)) (then (v128.store32_lane 0 (local.get $at) (local.get $v)))))))

  ;; Twelve lanes (three vectors) of one output position at channel $co, at most $lanes of them.
  (func $storeTriple (param $pixel i32) (param $co i32) (param $lanes i32) (param $v0 v128) (param $v1 v128) (param $v2 v128)
    (local $at i32)
    (local.set $at (i32.add (local.get $pixel) (i32.shl (local.get $co) (i32.const 2))))
    (if (i32.ge_s (local.get $lanes) (i32.const 12))
      (then
        (v128.store offset=0 (local.get $at) (local.get $v0))
        (v128.store offset=16 (local.get $at) (local.get $v1))
        (v128.store offset=32 (local.get $at) (local.get $v2))
        (return)))
    (call $storeLanes (local.get $at) (local.get $v0) (local.get $lanes))
    (call $storeLanes (i32.add (local.get $at) (i32.const 16)) (local.get $v1) (i32.sub (local.get $lanes) (i32.const 4)))
    (call $storeLanes (i32.add (local.get $at) (i32.const 32)) (local.get $v2) (i32.sub (local.get $lanes) (i32.const 8))))

  ;; y of an unpadded convolution (any strides and dilations), four output positions along a row by
  ;; twelve output channels at a time: per filter tap, the four input values under it (broadcast)
  ;; times the tap's twelve weights accumulate in twelve registers, starting from the bias, then
  ;; clamped to [$min, $max] (±∞: none; 0, +∞: ReLU; 0, 6: ReLU6). For few input channels, where
  ;; XNNPACK's tiles of eight output channels leave lanes idle (MNIST's 1→10) or its packing costs
  ;; more than the sums. The caller packs the filter as [ceil(outC/12)][taps][12] and the bias as
  ;; [ceil(outC/12)·12], zero past outC, and gives each tap's byte offset from a position's first
  ;; input value in $offsets (i32 × taps). A row's last block repeats its last position where outW
  ;; is not a multiple of four (the same values, stored twice); only lanes below outC are stored.
  (func (export "convForwardValid")
    (param $x i32) (param $packed i32) (param $bias i32) (param $offsets i32) (param $y i32)
    (param $batch i32) (param $inH i32) (param $inW i32) (param $C i32)
    (param $outH i32) (param $outW i32) (param $outC i32) (param $taps i32)
    (param $sH i32) (param $sW i32) (param $min f32) (param $max f32)
    (local $rows i32) (local $row i32) (local $rowIn i32) (local $ow i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $y0 i32) (local $y1 i32) (local $y2 i32) (local $y3 i32)
    (local $co i32) (local $lanes i32) (local $wp i32) (local $op i32) (local $end i32) (local $o i32)
    (local $colStep i32) (local $pixelOut i32)
    (local $lo v128) (local $hi v128) (local $b0 v128) (local $b1 v128) (local $b2 v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $w0 v128) (local $w1 v128) (local $w2 v128)
    (local $a00 v128) (local $a01 v128) (local $a02 v128) (local $a10 v128) (local $a11 v128) (local $a12 v128) (local $a20 v128) (local $a21 v128) (local $a22 v128) (local $a30 v128) (local $a31 v128) (local $a32 v128)
    (local.set $lo (f32x4.splat (local.get $min)))
    (local.set $hi (f32x4.splat (local.get $max)))
    (local.set $colStep (i32.shl (i32.mul (local.get $sW) (local.get $C)) (i32.const 2)))
    (local.set $pixelOut (i32.shl (local.get $outC) (i32.const 2)))
    (local.set $end (i32.add (local.get $offsets) (i32.shl (local.get $taps) (i32.const 2))))
    (local.set $rows (i32.mul (local.get $batch) (local.get $outH)))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_s (local.get $row) (local.get $rows)))
      (local.set $rowIn (call $rowStart (local.get $x) (local.get $row) (local.get $outH) (local.get $inH) (local.get $sH) (local.get $inW) (local.get $C)))
      (local.set $ow (i32.const 0))
      (block $owDone (loop $owLoop
        (br_if $owDone (i32.ge_s (local.get $ow) (local.get $outW)))
        ;; The block's four positions (the last repeated past the row's end): input and output addresses.
        (local.set $p0 (i32.add (local.get $rowIn) (i32.mul (local.get $ow) (local.get $colStep))))
        (local.set $y0 (i32.add (local.get $y) (i32.mul (i32.add (i32.mul (local.get $row) (local.get $outW)) (local.get $ow)) (local.get $pixelOut))))
        (local.set $p1 (local.get $p0)) (local.set $y1 (local.get $y0))
        (if (i32.lt_s (i32.add (local.get $ow) (i32.const 1)) (local.get $outW))
          (then (local.set $p1 (i32.add (local.get $p0) (local.get $colStep))) (local.set $y1 (i32.add (local.get $y0) (local.get $pixelOut)))))
        (local.set $p2 (local.get $p1)) (local.set $y2 (local.get $y1))
        (if (i32.lt_s (i32.add (local.get $ow) (i32.const 2)) (local.get $outW))
          (then (local.set $p2 (i32.add (local.get $p1) (local.get $colStep))) (local.set $y2 (i32.add (local.get $y1) (local.get $pixelOut)))))
        (local.set $p3 (local.get $p2)) (local.set $y3 (local.get $y2))
        (if (i32.lt_s (i32.add (local.get $ow) (i32.const 3)) (local.get $outW))
          (then (local.set $p3 (i32.add (local.get $p2) (local.get $colStep))) (local.set $y3 (i32.add (local.get $y2) (local.get $pixelOut)))))
        (local.set $co (i32.const 0))
        (local.set $wp (local.get $packed))
        (block $coDone (loop $coLoop
          (br_if $coDone (i32.ge_s (local.get $co) (local.get $outC)))
          (local.set $b0 (v128.load offset=0 (i32.add (local.get $bias) (i32.shl (local.get $co) (i32.const 2)))))
          (local.set $b1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $co) (i32.const 2)))))
          (local.set $b2 (v128.load offset=32 (i32.add (local.get $bias) (i32.shl (local.get $co) (i32.const 2)))))
          (local.set $a00 (local.get $b0)) (local.set $a01 (local.get $b1)) (local.set $a02 (local.get $b2))
          (local.set $a10 (local.get $b0)) (local.set $a11 (local.get $b1)) (local.set $a12 (local.get $b2))
          (local.set $a20 (local.get $b0)) (local.set $a21 (local.get $b1)) (local.set $a22 (local.get $b2))
          (local.set $a30 (local.get $b0)) (local.set $a31 (local.get $b1)) (local.set $a32 (local.get $b2))
          (local.set $op (local.get $offsets))
          (block $tapsDone (loop $tapLoop
            (br_if $tapsDone (i32.ge_u (local.get $op) (local.get $end)))
            (local.set $o (i32.load (local.get $op)))
            (local.set $w0 (v128.load offset=0 (local.get $wp)))
            (local.set $w1 (v128.load offset=16 (local.get $wp)))
            (local.set $w2 (v128.load offset=32 (local.get $wp)))
            (local.set $x0 (f32x4.splat (f32.load (i32.add (local.get $p0) (local.get $o)))))
            (local.set $x1 (f32x4.splat (f32.load (i32.add (local.get $p1) (local.get $o)))))
            (local.set $x2 (f32x4.splat (f32.load (i32.add (local.get $p2) (local.get $o)))))
            (local.set $x3 (f32x4.splat (f32.load (i32.add (local.get $p3) (local.get $o)))))
            (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $x0) (local.get $w0))))
            (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $x0) (local.get $w1))))
            (local.set $a02 (f32x4.add (local.get $a02) (f32x4.mul (local.get $x0) (local.get $w2))))
            (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $x1) (local.get $w0))))
            (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $x1) (local.get $w1))))
            (local.set $a12 (f32x4.add (local.get $a12) (f32x4.mul (local.get $x1) (local.get $w2))))
            (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $x2) (local.get $w0))))
            (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $x2) (local.get $w1))))
            (local.set $a22 (f32x4.add (local.get $a22) (f32x4.mul (local.get $x2) (local.get $w2))))
            (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $x3) (local.get $w0))))
            (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $x3) (local.get $w1))))
            (local.set $a32 (f32x4.add (local.get $a32) (f32x4.mul (local.get $x3) (local.get $w2))))
            (local.set $op (i32.add (local.get $op) (i32.const 4)))
            (local.set $wp (i32.add (local.get $wp) (i32.const 48)))
            (br $tapLoop)))
          ;; Clamped, then the lanes below outC of each position, in order.
          (local.set $lanes (i32.sub (local.get $outC) (local.get $co)))
          (call $storeTriple (local.get $y0) (local.get $co) (local.get $lanes)
            (f32x4.min (f32x4.max (local.get $a00) (local.get $lo)) (local.get $hi))
            (f32x4.min (f32x4.max (local.get $a01) (local.get $lo)) (local.get $hi))
            (f32x4.min (f32x4.max (local.get $a02) (local.get $lo)) (local.get $hi)))
          (call $storeTriple (local.get $y1) (local.get $co) (local.get $lanes)
            (f32x4.min (f32x4.max (local.get $a10) (local.get $lo)) (local.get $hi))
            (f32x4.min (f32x4.max (local.get $a11) (local.get $lo)) (local.get $hi))
            (f32x4.min (f32x4.max (local.get $a12) (local.get $lo)) (local.get $hi)))
          (call $storeTriple (local.get $y2) (local.get $co) (local.get $lanes)
            (f32x4.min (f32x4.max (local.get $a20) (local.get $lo)) (local.get $hi))
            (f32x4.min (f32x4.max (local.get $a21) (local.get $lo)) (local.get $hi))
            (f32x4.min (f32x4.max (local.get $a22) (local.get $lo)) (local.get $hi)))
          (call $storeTriple (local.get $y3) (local.get $co) (local.get $lanes)
            (f32x4.min (f32x4.max (local.get $a30) (local.get $lo)) (local.get $hi))
            (f32x4.min (f32x4.max (local.get $a31) (local.get $lo)) (local.get $hi))
            (f32x4.min (f32x4.max (local.get $a32) (local.get $lo)) (local.get $hi)))
          (local.set $co (i32.add (local.get $co) (i32.const 12)))
          (br $coLoop)))
        (local.set $ow (i32.add (local.get $ow) (i32.const 4)))
        (br $owLoop)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rowLoop))))

  ;; dst[i] += a[i]·b[i] for `count` floats: sixteen at a time, then four, then one. Addresses are
  ;; compared unsigned, so a heap past 2 GiB works.
  (func $mulAddInto (param $dst i32) (param $a i32) (param $b i32) (param $count i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $count) (i32.const 2))))
    (block $blockDone (loop $blockLoop
      (br_if $blockDone (i32.gt_u (i32.add (local.get $dst) (i32.const 64)) (local.get $end)))
      (v128.store offset=0 (local.get $dst) (f32x4.add (v128.load offset=0 (local.get $dst)) (f32x4.mul (v128.load offset=0 (local.get $a)) (v128.load offset=0 (local.get $b)))))
      (v128.store offset=16 (local.get $dst) (f32x4.add (v128.load offset=16 (local.get $dst)) (f32x4.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
      (v128.store offset=32 (local.get $dst) (f32x4.add (v128.load offset=32 (local.get $dst)) (f32x4.mul (v128.load offset=32 (local.get $a)) (v128.load offset=32 (local.get $b)))))
      (v128.store offset=48 (local.get $dst) (f32x4.add (v128.load offset=48 (local.get $dst)) (f32x4.mul (v128.load offset=48 (local.get $a)) (v128.load offset=48 (local.get $b)))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
      (local.set $a (i32.add (local.get $a) (i32.const 64)))
      (local.set $b (i32.add (local.get $b) (i32.const 64)))
      (br $blockLoop)))
    (block $vecDone (loop $vecLoop
      (br_if $vecDone (i32.gt_u (i32.add (local.get $dst) (i32.const 16)) (local.get $end)))
      (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (br $vecLoop)))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
      (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.mul (f32.load (local.get $a)) (f32.load (local.get $b)))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $b (i32.add (local.get $b) (i32.const 4)))
      (br $loop))))

  ;; dx of a depthwise convolution with channel multiplier 1 (filter [kH, kW, C]), any strides,
  ;; dilations and padding, gathered: each input position sums, over the taps that reached it from an
  ;; output position, that position's dy times the tap's weights, all channels at once (channels are
  ;; contiguous, so this is a vector product along the row). Only the forward's multiply-adds are
  ;; done: no zeros are inserted between dy's positions for strides. dx needs no zeroing.
  (func (export "depthwiseInputGradient")
    (param $dy i32) (param $filter i32) (param $dx i32)
    (param $batch i32) (param $inH i32) (param $inW i32) (param $C i32) (param $outH i32) (param $outW i32)
    (param $kH i32) (param $kW i32) (param $sH i32) (param $sW i32) (param $dH i32) (param $dW i32) (param $padT i32) (param $padL i32)
    (local $pixel i32) (local $row i32) (local $b i32) (local $h i32) (local $w i32) (local $kh i32) (local $kw i32)
    (local $t i32) (local $u i32) (local $oh i32) (local $ow i32)
    (local.set $pixel (i32.shl (local.get $C) (i32.const 2)))
    (local.set $row (local.get $dx))
    (local.set $b (i32.const 0))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.ge_s (local.get $b) (local.get $batch)))
      (local.set $h (i32.const 0))
      (block $hDone (loop $hLoop
        (br_if $hDone (i32.ge_s (local.get $h) (local.get $inH)))
        (local.set $w (i32.const 0))
        (block $wDone (loop $wLoop
          (br_if $wDone (i32.ge_s (local.get $w) (local.get $inW)))
          (memory.fill (local.get $row) (i32.const 0) (local.get $pixel))
          (local.set $kh (i32.const 0))
          (block $khDone (loop $khLoop
            (br_if $khDone (i32.ge_s (local.get $kh) (local.get $kH)))
            ;; The output row whose window put tap kh on input row h: oh·sH = h + padT − kh·dH.
            (local.set $t (i32.sub (i32.add (local.get $h) (local.get $padT)) (i32.mul (local.get $kh) (local.get $dH))))
            (local.set $oh (i32.div_s (local.get $t) (local.get $sH)))
            (if (i32.and
                  (i32.and (i32.ge_s (local.get $t) (i32.const 0)) (i32.eqz (i32.rem_s (local.get $t) (local.get $sH))))
                  (i32.lt_s (local.get $oh) (local.get $outH)))
              (then
                (local.set $kw (i32.const 0))
                (block $kwDone (loop $kwLoop
                  (br_if $kwDone (i32.ge_s (local.get $kw) (local.get $kW)))
                  (local.set $u (i32.sub (i32.add (local.get $w) (local.get $padL)) (i32.mul (local.get $kw) (local.get $dW))))
                  (local.set $ow (i32.div_s (local.get $u) (local.get $sW)))
                  (if (i32.and
                        (i32.and (i32.ge_s (local.get $u) (i32.const 0)) (i32.eqz (i32.rem_s (local.get $u) (local.get $sW))))
                        (i32.lt_s (local.get $ow) (local.get $outW)))
                    (then
                      (call $mulAddInto
                        (local.get $row)
                        (i32.add (local.get $dy) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $outH)) (local.get $oh)) (local.get $outW)) (local.get $ow)) (local.get $pixel)))
                        (i32.add (local.get $filter) (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $kW)) (local.get $kw)) (local.get $pixel)))
                        (local.get $C))))
                  (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                  (br $kwLoop)))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $khLoop)))
          (local.set $row (i32.add (local.get $row) (local.get $pixel)))
          (local.set $w (i32.add (local.get $w) (i32.const 1)))
          (br $wLoop)))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $hLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bLoop))))

  ;; dW of a depthwise convolution with channel multiplier 1 (dW [kH, kW, C]), any strides, dilations
  ;; and padding: every output position adds, for each tap whose input position lies inside the
  ;; image, the input row times its dy row into that tap's row of dW (small enough to stay in the
  ;; first-level cache). One pass over x and dy; taps falling on padding are skipped. dW starts zeroed.
  (func (export "depthwiseFilterGradient")
    (param $x i32) (param $dy i32) (param $dw i32)
    (param $batch i32) (param $inH i32) (param $inW i32) (param $C i32) (param $outH i32) (param $outW i32)
    (param $kH i32) (param $kW i32) (param $sH i32) (param $sW i32) (param $dH i32) (param $dW i32) (param $padT i32) (param $padL i32)
    (local $pixel i32) (local $dyRow i32) (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32)
    (local $ih i32) (local $iw i32)
    (local.set $pixel (i32.shl (local.get $C) (i32.const 2)))
    (local.set $dyRow (local.get $dy))
    (local.set $b (i32.const 0))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.ge_s (local.get $b) (local.get $batch)))
      (local.set $oh (i32.const 0))
      (block $ohDone (loop $ohLoop
        (br_if $ohDone (i32.ge_s (local.get $oh) (local.get $outH)))
        (local.set $ow (i32.const 0))
        (block $owDone (loop $owLoop
          (br_if $owDone (i32.ge_s (local.get $ow) (local.get $outW)))
          (local.set $kh (i32.const 0))
          (block $khDone (loop $khLoop
            (br_if $khDone (i32.ge_s (local.get $kh) (local.get $kH)))
            (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sH)) (local.get $padT)) (i32.mul (local.get $kh) (local.get $dH))))
            (if (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $inH)))
              (then
                (local.set $kw (i32.const 0))
                (block $kwDone (loop $kwLoop
                  (br_if $kwDone (i32.ge_s (local.get $kw) (local.get $kW)))
                  (local.set $iw (i32.add (i32.sub (i32.mul (local.get $ow) (local.get $sW)) (local.get $padL)) (i32.mul (local.get $kw) (local.get $dW))))
                  (if (i32.and (i32.ge_s (local.get $iw) (i32.const 0)) (i32.lt_s (local.get $iw) (local.get $inW)))
                    (then
                      (call $mulAddInto
                        (i32.add (local.get $dw) (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $kW)) (local.get $kw)) (local.get $pixel)))
                        (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $ih)) (local.get $inW)) (local.get $iw)) (local.get $pixel)))
                        (local.get $dyRow)
                        (local.get $C))))
                  (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                  (br $kwLoop)))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $khLoop)))
          (local.set $dyRow (i32.add (local.get $dyRow) (local.get $pixel)))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br $owLoop)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bLoop))))

  ;; dx of a ReLU capped at $cap (6 for relu6, +∞ for relu) over n values: dy where 0 < x ≤ cap,
  ;; else 0. TF.js' own gradients make two (relu: step, cast) or four (relu6: lessEqual, step, mul,
  ;; cast) full-size passes and one more for dy times the mask; this is one. Comparisons with NaN
  ;; are false, so a NaN input passes no gradient (as in PyTorch).
  (func (export "cappedReluGrad") (param $x i32) (param $dy i32) (param $dx i32) (param $n i32) (param $cap f32)
    (local $end i32) (local $v v128) (local $xs f32) (local $caps v128)
    (local.set $caps (f32x4.splat (local.get $cap)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vecDone (loop $vecLoop
      (br_if $vecDone (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (v128.store (local.get $dx) (v128.and (v128.load (local.get $dy))
        (v128.and (f32x4.gt (local.get $v) (f32x4.splat (f32.const 0))) (f32x4.le (local.get $v) (local.get $caps)))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
      (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
      (br $vecLoop)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $xs (f32.load (local.get $x)))
      (f32.store (local.get $dx)
        (select (f32.load (local.get $dy)) (f32.const 0)
          (i32.and (f32.gt (local.get $xs) (f32.const 0)) (f32.le (local.get $xs) (local.get $cap)))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
      (local.set $dx (i32.add (local.get $dx) (i32.const 4)))
      (br $loop))))

  ;; Per-channel sums over rows of a [rows, C] matrix (channels last): out[c] = Σ (x − mean[c])·z,
  ;; or Σ (x − mean[c])² when $square is set (z unread). Batch norm's variance and the Σ dy·(x − mean)
  ;; of its gradient, each one pass over the activations; out accumulates in place (C floats).
  (func (export "sumCenteredProducts")
    (param $x i32) (param $mean i32) (param $z i32) (param $out i32) (param $rows i32) (param $C i32) (param $square i32)
    (local $r i32) (local $c i32) (local $at i32) (local $d v128) (local $ds f32) (local $vecEnd i32)
    (memory.fill (local.get $out) (i32.const 0) (i32.shl (local.get $C) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $C) (i32.const -4)))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $vecDone (loop $vecLoop
        (br_if $vecDone (i32.ge_s (local.get $c) (local.get $vecEnd)))
        (local.set $at (i32.shl (local.get $c) (i32.const 2)))
        (local.set $d (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $at))) (v128.load (i32.add (local.get $mean) (local.get $at)))))
        (v128.store (i32.add (local.get $out) (local.get $at))
          (f32x4.add (v128.load (i32.add (local.get $out) (local.get $at)))
            (f32x4.mul (local.get $d)
              (if (result v128) (local.get $square) (then (local.get $d)) (else (v128.load (i32.add (local.get $z) (local.get $at))))))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $vecLoop)))
      (block $tailDone (loop $tailLoop
        (br_if $tailDone (i32.ge_s (local.get $c) (local.get $C)))
        (local.set $at (i32.shl (local.get $c) (i32.const 2)))
        (local.set $ds (f32.sub (f32.load (i32.add (local.get $x) (local.get $at))) (f32.load (i32.add (local.get $mean) (local.get $at)))))
        (f32.store (i32.add (local.get $out) (local.get $at))
          (f32.add (f32.load (i32.add (local.get $out) (local.get $at)))
            (f32.mul (local.get $ds)
              (if (result f32) (local.get $square) (then (local.get $ds)) (else (f32.load (i32.add (local.get $z) (local.get $at))))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tailLoop)))
      (local.set $at (i32.shl (local.get $C) (i32.const 2)))
      (local.set $x (i32.add (local.get $x) (local.get $at)))
      (local.set $z (i32.add (local.get $z) (local.get $at)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rowLoop))))

  ;; out = p·a[c] + q·b[c] + k[c] over a [rows, C] matrix (channels last), with a, b, k per-channel
  ;; coefficients: batch norm's normalise-scale-shift (q = p, b = 0) and its input gradient
  ;; (dy·a + x·b + k), each one pass.
  (func (export "channelAffine2")
    (param $p i32) (param $q i32) (param $a i32) (param $b i32) (param $k i32) (param $out i32) (param $rows i32) (param $C i32)
    (local $r i32) (local $c i32) (local $at i32) (local $vecEnd i32)
    (local.set $vecEnd (i32.and (local.get $C) (i32.const -4)))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $vecDone (loop $vecLoop
        (br_if $vecDone (i32.ge_s (local.get $c) (local.get $vecEnd)))
        (local.set $at (i32.shl (local.get $c) (i32.const 2)))
        (v128.store (i32.add (local.get $out) (local.get $at))
          (f32x4.add
            (f32x4.add
              (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $at))) (v128.load (i32.add (local.get $a) (local.get $at))))
              (f32x4.mul (v128.load (i32.add (local.get $q) (local.get $at))) (v128.load (i32.add (local.get $b) (local.get $at)))))
            (v128.load (i32.add (local.get $k) (local.get $at)))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $vecLoop)))
      (block $tailDone (loop $tailLoop
        (br_if $tailDone (i32.ge_s (local.get $c) (local.get $C)))
        (local.set $at (i32.shl (local.get $c) (i32.const 2)))
        (f32.store (i32.add (local.get $out) (local.get $at))
          (f32.add
            (f32.add
              (f32.mul (f32.load (i32.add (local.get $p) (local.get $at))) (f32.load (i32.add (local.get $a) (local.get $at))))
              (f32.mul (f32.load (i32.add (local.get $q) (local.get $at))) (f32.load (i32.add (local.get $b) (local.get $at)))))
            (f32.load (i32.add (local.get $k) (local.get $at)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tailLoop)))
      (local.set $at (i32.shl (local.get $C) (i32.const 2)))
      (local.set $p (i32.add (local.get $p) (local.get $at)))
      (local.set $q (i32.add (local.get $q) (local.get $at)))
      (local.set $out (i32.add (local.get $out) (local.get $at)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rowLoop))))

  ;; Batch norm in inference over a [rows, C] matrix (channels last), in TF.js' own kernel's order,
  ;; so that every value is the one it stores: out = offset[c] + ((x − mean[c])·scale[c]) / norm[c],
  ;; with norm = √(variance + ε) per channel from the caller. Four channels at a time; each lane's
  ;; subtract, multiply, divide and add round as the scalar operations do.
  (func (export "batchNormInference")
    (param $x i32) (param $mean i32) (param $scale i32) (param $offset i32) (param $norm i32) (param $out i32) (param $rows i32) (param $C i32)
    (local $r i32) (local $c i32) (local $at i32) (local $vecEnd i32)
    (local.set $vecEnd (i32.and (local.get $C) (i32.const -4)))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $vecDone (loop $vecLoop
        (br_if $vecDone (i32.ge_s (local.get $c) (local.get $vecEnd)))
        (local.set $at (i32.shl (local.get $c) (i32.const 2)))
        (v128.store (i32.add (local.get $out) (local.get $at))
          (f32x4.add
            (v128.load (i32.add (local.get $offset) (local.get $at)))
            (f32x4.div
              (f32x4.mul
                (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $at))) (v128.load (i32.add (local.get $mean) (local.get $at))))
                (v128.load (i32.add (local.get $scale) (local.get $at))))
              (v128.load (i32.add (local.get $norm) (local.get $at))))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $vecLoop)))
      (block $tailDone (loop $tailLoop
        (br_if $tailDone (i32.ge_s (local.get $c) (local.get $C)))
        (local.set $at (i32.shl (local.get $c) (i32.const 2)))
        (f32.store (i32.add (local.get $out) (local.get $at))
          (f32.add
            (f32.load (i32.add (local.get $offset) (local.get $at)))
            (f32.div
              (f32.mul
                (f32.sub (f32.load (i32.add (local.get $x) (local.get $at))) (f32.load (i32.add (local.get $mean) (local.get $at))))
                (f32.load (i32.add (local.get $scale) (local.get $at))))
              (f32.load (i32.add (local.get $norm) (local.get $at))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tailLoop)))
      (local.set $at (i32.shl (local.get $C) (i32.const 2)))
      (local.set $x (i32.add (local.get $x) (local.get $at)))
      (local.set $out (i32.add (local.get $out) (local.get $at)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rowLoop))))

  ;; Per block of a [blocks, rows, cols] tensor, its [cols, rows] transpose; with $flip the blocks
  ;; also go in reverse order (a filter's taps flipped and its channel axes swapped, as the input
  ;; gradient's convolution needs, in one pass). 4×4 tiles move through registers by shuffles;
  ;; the rows and columns past the last whole tile go one value at a time.
  (func (export "transposeBlocks")
    (param $src i32) (param $dst i32) (param $blocks i32) (param $rows i32) (param $cols i32) (param $flip i32)
    (local $block i32) (local $from i32) (local $to i32) (local $r i32) (local $c i32) (local $rowEnd i32) (local $colEnd i32)
    (local $blockBytes i32) (local $srcRow i32) (local $dstRow i32) (local $p i32) (local $q i32)
    (local $a v128) (local $b v128) (local $cc v128) (local $d v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $blockBytes (i32.shl (i32.mul (local.get $rows) (local.get $cols)) (i32.const 2)))
    (local.set $srcRow (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $dstRow (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $rowEnd (i32.and (local.get $rows) (i32.const -4)))
    (local.set $colEnd (i32.and (local.get $cols) (i32.const -4)))
    (local.set $block (i32.const 0))
    (block $blocksDone (loop $blockLoop
      (br_if $blocksDone (i32.ge_s (local.get $block) (local.get $blocks)))
      (local.set $from (i32.add (local.get $src) (i32.mul (local.get $block) (local.get $blockBytes))))
      (local.set $to (i32.add (local.get $dst) (i32.mul
        (if (result i32) (local.get $flip)
          (then (i32.sub (i32.sub (local.get $blocks) (i32.const 1)) (local.get $block)))
          (else (local.get $block)))
        (local.get $blockBytes))))
      ;; Whole 4×4 tiles.
      (local.set $r (i32.const 0))
      (block $rowsDone (loop $rowLoop
        (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $rowEnd)))
        (local.set $c (i32.const 0))
        (block $colsDone (loop $colLoop
          (br_if $colsDone (i32.ge_s (local.get $c) (local.get $colEnd)))
          (local.set $p (i32.add (local.get $from) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2))))
          (local.set $a (v128.load (local.get $p)))
          (local.set $b (v128.load (i32.add (local.get $p) (local.get $srcRow))))
          (local.set $cc (v128.load (i32.add (local.get $p) (i32.shl (local.get $srcRow) (i32.const 1)))))
          (local.set $d (v128.load (i32.add (local.get $p) (i32.mul (local.get $srcRow) (i32.const 3)))))
          (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
          (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
          (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $cc) (local.get $d)))
          (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $cc) (local.get $d)))
          (local.set $q (i32.add (local.get $to) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2))))
          (v128.store (local.get $q) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
          (v128.store (i32.add (local.get $q) (local.get $dstRow)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
          (v128.store (i32.add (local.get $q) (i32.shl (local.get $dstRow) (i32.const 1))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
          (v128.store (i32.add (local.get $q) (i32.mul (local.get $dstRow) (i32.const 3))) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br $colLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rowLoop)))
      ;; The columns past the last whole tile, for the rows of whole tiles.
      (local.set $r (i32.const 0))
      (block $tailRowsDone (loop $tailRowLoop
        (br_if $tailRowsDone (i32.ge_s (local.get $r) (local.get $rowEnd)))
        (local.set $c (local.get $colEnd))
        (block $tailColsDone (loop $tailColLoop
          (br_if $tailColsDone (i32.ge_s (local.get $c) (local.get $cols)))
          (f32.store
            (i32.add (local.get $to) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2)))
            (f32.load (i32.add (local.get $from) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2)))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $tailColLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $tailRowLoop)))
      ;; The rows past the last whole tile, every column.
      (local.set $r (local.get $rowEnd))
      (block $lastRowsDone (loop $lastRowLoop
        (br_if $lastRowsDone (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $lastColsDone (loop $lastColLoop
          (br_if $lastColsDone (i32.ge_s (local.get $c) (local.get $cols)))
          (f32.store
            (i32.add (local.get $to) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2)))
            (f32.load (i32.add (local.get $from) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2)))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $lastColLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $lastRowLoop)))
      (local.set $block (i32.add (local.get $block) (i32.const 1)))
      (br $blockLoop))))
)
