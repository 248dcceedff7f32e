/** Stops training when the watched loss has not improved for `patience` epochs in a row (0 = never). */
export class EarlyStopping {
  private best = Infinity;
  private epochsWithoutImprovement = 0;

  constructor(private readonly patience: number) {}

  /** Records an epoch's loss; true when training should stop now. */
  shouldStop(loss: number): boolean {
    if (this.patience <= 0) return false;
    if (loss < this.best) {
      this.best = loss;
      this.epochsWithoutImprovement = 0;
      return false;
    }
    this.epochsWithoutImprovement++;
    return this.epochsWithoutImprovement >= this.patience;
  }
}
