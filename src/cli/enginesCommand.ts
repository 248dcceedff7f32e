import { formatEngineList } from '../training/engine/listEngines';
import { defaultPythonCandidates } from '../training/pytorch/findPythonWithTorch';
import { probeEnginesInProcess } from '../training/service/probeEnginesInProcess';
import type { CliCommand } from './cliCommand';

export const enginesCommand: CliCommand = {
  name: 'engines',
  summary: 'The training engines: whether each trains here, on what device, and why not',
  description:
    'Each engine is started in a training process and given one training step; PyTorch is looked for in --python, then CNN_DESIGNER_PYTHON, then python3 on the PATH, and every interpreter tried is listed with its reason. The engine marked * is the one --backend auto uses.',
  positionals: { usage: '', meaning: 'arguments', min: 0, max: 0 },
  options: [
    { name: 'json', type: 'boolean', meaning: 'Prints the list as JSON.' },
    { name: 'python', type: 'string', valueName: 'PATH', meaning: 'A Python interpreter with torch, tried first.' },
  ],
  async run(args, out) {
    const python = args.string('python');
    const engines = await probeEnginesInProcess({ pythonCandidates: [...(python ? [{ path: python, source: 'the --python option' }] : []), ...defaultPythonCandidates()] });
    out.stdout(args.flag('json') ? `${JSON.stringify(engines, null, 2)}\n` : formatEngineList(engines));
    return 0;
  },
};
