/** `{@attach focusOnMount}`: focuses (and optionally selects) the element when it appears. */
export function focusOnMount(el: HTMLElement): void {
  el.focus();
  if (el instanceof HTMLInputElement) el.select();
}
