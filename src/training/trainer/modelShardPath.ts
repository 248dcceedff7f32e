import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

/**
 * The file a shard path of a saved model's `weightsManifest` names, checked to lie inside the model
 * folder. A run folder may come from a stranger's repository, so its model.json is untrusted: a path
 * such as "../../.ssh/id_rsa", an absolute path, or a symbolic link leading out of the folder would
 * otherwise be read (into an export, or a feature-map request). Throws a clear error for those and
 * for anything that is not a regular file (a FIFO would block the read forever).
 */
export function modelShardPath(modelFolder: string, shardPath: unknown): string {
  if (typeof shardPath !== 'string' || shardPath === '' || shardPath.includes('\0')) {
    throw new Error(`The model's weightsManifest names a weight file that is not a file name: ${JSON.stringify(shardPath)}.`);
  }
  const outside = (): never => {
    throw new Error(`The model's weightsManifest names ${JSON.stringify(shardPath)}, which is outside the model folder ${modelFolder}: only files inside it are read.`);
  };
  if (isAbsolute(shardPath)) outside();
  const folder = realpathSync(modelFolder);
  let file: string;
  try {
    file = realpathSync(join(folder, shardPath));
  } catch (err) {
    throw new Error(`The weight file ${JSON.stringify(shardPath)} of the model in ${modelFolder} cannot be read: ${(err as Error).message}`);
  }
  const rel = relative(folder, file);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) outside();
  if (!statSync(file).isFile()) throw new Error(`The weight file ${JSON.stringify(shardPath)} of the model in ${modelFolder} is not a regular file.`);
  return file;
}
