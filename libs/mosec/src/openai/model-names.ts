/** A served model as clients name it: its id, and other names accepted for it. */
export interface NamedModel {
  id: string;
  aliases?: string[];
}

/** Every name of each model (its id and its aliases) mapped to what `value` gives for it. */
export function byModelName<M extends NamedModel, V>(models: readonly M[], value: (model: M) => V): Map<string, V> {
  const named = new Map<string, V>();
  for (const model of models) {
    const entry = value(model);
    for (const name of [model.id, ...(model.aliases ?? [])]) named.set(name, entry);
  }
  return named;
}
