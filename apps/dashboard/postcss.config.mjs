// Tailwind CSS v4 through PostCSS (its lightningcss and oxide binaries ship as npm packages).
export default { plugins: { '@tailwindcss/postcss': {} } };
