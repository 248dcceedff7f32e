/**
 * Expected totals of the templates written with blocks (torchvision's counts + batch-norm statistics),
 * kept apart from the flat templates' table so each can grow on its own.
 */
export const BLOCK_TEMPLATE_TOTALS: Record<string, { params: number; trainable: number; output: number[] }> = {
  'resnet50-blocks': { params: 25_557_032 + 53_120, trainable: 25_557_032, output: [1000] },
  'mobilenet-v2-blocks': { params: 3_504_872 + 34_112, trainable: 3_504_872, output: [1000] },
  'densenet121-blocks': { params: 7_978_856 + 83_648, trainable: 7_978_856, output: [1000] },
  'efficientnet-b0-blocks': { params: 5_288_548 + 42_016, trainable: 5_288_548, output: [1000] },
};
