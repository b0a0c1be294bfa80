export { renderTable, replaceSection, sectionOf, type VariableDoc } from './config-table.ts';
