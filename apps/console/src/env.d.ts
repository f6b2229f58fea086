declare module '*.css';
// Element Plus's per-component style entries (side-effect imports, no types).
declare module 'element-plus/es/components/*';
