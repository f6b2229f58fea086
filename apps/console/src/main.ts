import { createApp } from 'vue';
import App from './App.vue';
import { startConsole } from './console-state.js';
import './styles.css';

createApp(App).mount('#app');
void startConsole();
