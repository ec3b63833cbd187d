import { mount } from 'svelte';
import App from './App.svelte';
import { configureApi } from './lib/api';
import { connectionApiBase, managerHost } from './lib/manager/host';
import { exchangeLinkToken } from './lib/manager/linkToken';
import './app.css';

// Served by a node: its own API, same origin. In the manager, a cluster's window: that
// connection's API through the manager (which adds the key; the page never holds it).
if (managerHost?.connectionId) configureApi({ baseUrl: connectionApiBase(managerHost.connectionId) });
// shoal-manager's link: its one-time token becomes the session before anything is asked.
const refused = managerHost && !managerHost.desktop ? await exchangeLinkToken() : null;

mount(App, { target: document.getElementById('app')!, props: { refused } });
