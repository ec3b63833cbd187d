import { mount } from 'svelte';
import App from './App.svelte';
import { configureApi } from './lib/api';
import './app.css';

declare global {
  interface Window {
    /** Set by the desktop app's preload when the portal is loaded from file://. */
    shoalPortal?: { serverUrl?: string };
  }
}

// Served by a node: same origin. Loaded from a file by the desktop app: the node it names.
const served = location.protocol === 'http:' || location.protocol === 'https:';
configureApi({ baseUrl: served ? '' : (window.shoalPortal?.serverUrl ?? '') });

mount(App, { target: document.getElementById('app')! });
