export interface BenchFigure { name: string; value: number; unit: string; baseline?: { name: string; value: number }; goal?: string; /** true when the goal is met; undefined when no goal */ met?: boolean; note?: string }
export interface BenchContext { /** scale factor: 1 normal, smaller for a quick run (--quick) */ scale: number; log: (line: string) => void }
export interface BenchPart { name: string; description: string; run(context: BenchContext): Promise<BenchFigure[]> }
