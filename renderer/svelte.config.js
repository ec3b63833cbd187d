/** Shared by the Vite plugin and svelte-check. */
export default {
  compilerOptions: { runes: true },
};
